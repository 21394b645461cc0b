"""The key-population records panel (重点人群名单): its title and audit note, the count, the
table of persons of a grid, micro-grid or building, and the CSV its export button downloads.
Every text is a Dash component or a CSV cell: nothing is rendered as HTML."""

import base64
import csv
import datetime as dt
import io

from dash import html

from dashboard.i18n import text
from geo.map.key_person_records import KeyPersonRecord, KeyPersonRecords

COLUMNS = ("pseudonym", "category", "care", "registered", "building", "address", "unit")
# A cell starting with one of these is a formula to Excel: such a cell gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows the Chinese


def word(key: str, lang: str, **values) -> str:
    """The panel's text `key` (dashboard/i18n.py, `kpr_<key>`) in `lang`, placeholders filled."""
    return text(f"kpr_{key}", lang, **values)


def heading(lang: str) -> list:
    """The panel's title and the note that viewing is audited."""
    return [html.H3(word("title", lang)), html.P(word("audit_note", lang), className="kpr-note")]


def hint(lang: str) -> list:
    """The body shown above grid level: drill to a grid first."""
    return [html.P(word("pick_unit", lang), className="hint")]


def body(records: KeyPersonRecords, lang: str) -> list:
    """The count, a note when the list was cut, and the table (or a note that there is none).

    Example:
        >>> body(key_person_records(conn, grid), "zh")
    """
    if not records.records:
        return [html.P(word("none", lang), className="hint")]
    parts = [html.P(word("count", lang, n=f"{records.total:,}"), className="kpr-count")]
    if records.truncated:
        parts.append(
            html.P(word("cut", lang, shown=f"{len(records.records):,}", total=f"{records.total:,}"), className="note")
        )
    return [*parts, table(records.records, lang)]


def table(records: tuple[KeyPersonRecord, ...], lang: str) -> html.Div:
    """The persons as an HTML table in a scrolling box, one row each; to fit the side panel
    the address cell also holds the unit and, below, the building's code."""
    columns = ("pseudonym", "category", "care", "registered", "address")
    head = html.Thead(html.Tr([html.Th(word(f"col_{column}", lang)) for column in columns]))
    rows = [_row(record, lang) for record in records]
    return html.Div(html.Table([head, html.Tbody(rows)], className="kpr-table"), className="kpr-scroll")


def _row(record: KeyPersonRecord, lang: str) -> html.Tr:
    place = record.standard_address
    if record.unit_no is not None:
        place += " · " + word("unit_no", lang, n=record.unit_no)
    return html.Tr(
        [
            html.Td(record.pseudonym, className="kpr-id"),
            html.Td(record.category(lang)),
            html.Td(word(f"care_{record.care_level}", lang), className=f"kpr-care {record.care_level}"),
            html.Td(record.registered_on.isoformat(), className="kpr-date"),
            html.Td([html.Div(place), html.Div(record.building_code, className="hint")]),
        ]
    )


def csv_text(records: KeyPersonRecords, lang: str) -> str:
    """The records as CSV with a header row in `lang`, starting with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([word(f"col_{column}", lang) for column in COLUMNS])
    for record in records.records:
        writer.writerow([_safe_cell(str(value)) for value in _cells(record, lang)])
    return BOM + out.getvalue()


def download(records: KeyPersonRecords, lang: str, today: dt.date) -> dict:
    """What dcc.Download takes: the CSV as UTF-8 bytes (base64, so the mark survives) under a
    name with the unit's code and the day."""
    content = base64.b64encode(csv_text(records, lang).encode("utf-8")).decode("ascii")
    filename = f"key_persons_{records.unit_code}_{today.isoformat()}.csv"
    return {"content": content, "base64": True, "filename": filename, "type": "text/csv"}


def _cells(record: KeyPersonRecord, lang: str) -> list[str]:
    return [
        record.pseudonym,
        record.category(lang),
        word(f"care_{record.care_level}", lang),
        record.registered_on.isoformat(),
        record.building_code,
        record.standard_address,
        "" if record.unit_no is None else str(record.unit_no),
    ]


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value
