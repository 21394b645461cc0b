"""`python -m geo import FILE --layer cases …`: a file in, a row-level rejection report out.

The file is read whole, every row checked, the good rows written and placed in one
transaction; the rejected rows go to a CSV report (line, id, reason) beside the input or
where --report says. `read = inserted + updated + unchanged + rejected` always holds.
Exit code 0 when the file was processed (even with rejected rows), 1 when it was refused.
"""

import csv
import json
from pathlib import Path

from geo.db.connection import transaction
from geo.errors import UserError
from geo.geocode.crs import SYSTEMS
from geo.imports import cases
from geo.imports.columns import match_columns, parse_mapping
from geo.imports.tables import read_table

LAYERS = {"cases": cases.FIELDS}
CATEGORIES = "SELECT code, name_zh, name_en, deadline_days FROM case_category"
STATUSES = "SELECT code, name_zh, name_en FROM case_status"


def add_parser(commands) -> None:
    cmd = commands.add_parser("import", help="import a file (CSV, XLSX) into a layer, with a rejection report")
    cmd.add_argument("file", nargs="?", help="the file to import")
    cmd.add_argument("--layer", choices=sorted(LAYERS), help="which layer the file holds")
    cmd.add_argument("--layers", action="store_true", help="list each layer's fields and which are required")
    cmd.add_argument("--crs", help=f"system of coordinates without a 坐标系 column: {'|'.join(SYSTEMS)}")
    cmd.add_argument("--encoding", help="gbk|utf-8 (default: UTF-8, else GBK)")
    cmd.add_argument("--sheet", help="XLSX: the sheet (default: the first)")
    cmd.add_argument("--map", action="append", metavar="SRC=DST", help="read column SRC as field DST (repeatable)")
    cmd.add_argument("--report", help="where to write rejected rows (default: FILE.rejected.csv)")
    cmd.add_argument("--json", action="store_true", help="print the summary as one JSON object on the last line")
    cmd.set_defaults(handler=run)


def run(args) -> int:
    if args.layers:
        print(layer_listing())
        return 0
    if not args.file or not args.layer:
        raise UserError("import needs FILE and --layer (or --layers to list them)")
    summary = import_file(args.file, args.layer, args)
    print(_text(summary))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    return 0


def import_file(path: str, layer: str, args) -> dict:
    """Read, check, write and report one file; return the summary."""
    table = read_table(path, args.encoding, args.sheet)
    if table.frame.empty:
        raise UserError(f"{path}: a header and no rows: nothing to import")
    columns = match_columns(list(table.frame.columns), LAYERS[layer], parse_mapping(args.map))
    if columns["address"] is None and (columns["lon"] is None or columns["lat"] is None):
        raise UserError("missing location columns: an address (地址) or longitude and latitude (经度, 纬度)")
    with transaction() as conn:
        checked = cases.check_rows(table, columns, _lookups(conn), args.crs)
        from geo.imports.write import write_cases

        written = write_cases(conn, checked.rows)
    report = _write_report(path, args.report, checked.rejected)
    placed = written.pop("placed") or {}
    return {
        "read": len(table.frame),
        **written,
        "rejected": len(checked.rejected),
        "flagged": placed.get("outside", 0) + placed.get("review", 0),
        "warnings": len(checked.warnings),
        "report": report,
    }


def _lookups(conn) -> cases.Lookups:
    categories, days = {}, {}
    for code, zh, en, deadline_days in conn.execute(CATEGORIES).fetchall():
        categories |= {code: code, zh.lower(): code, en.lower(): code}
        days[code] = deadline_days
    statuses = {}
    for code, zh, en in conn.execute(STATUSES).fetchall():
        statuses |= {code: code, zh.lower(): code, en.lower(): code}
    return cases.Lookups(categories, days, statuses)


def _write_report(path: str, target: str | None, rejected: list) -> str | None:
    if not rejected:
        return None
    report = Path(target or f"{path}.rejected.csv")
    with report.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "id", "reason"])
        writer.writerows(rejected)
    return str(report)


def _text(summary: dict) -> str:
    parts = [f"{key} {summary[key]:,}" for key in ("read", "inserted", "updated", "unchanged", "rejected", "flagged")]
    return "; ".join(parts) + (f"; rejected rows in {summary['report']}" if summary["report"] else "")


def layer_listing() -> str:
    """Each layer's fields: required ones marked, with the column names recognised."""
    lines = []
    for layer, fields in LAYERS.items():
        lines.append(f"{layer}:")
        for field in fields:
            mark = "required" if field.required else "optional"
            lines.append(f"  {field.name:<12} {mark:<9} {' / '.join(field.aliases)}  ({field.help})")
    lines.append("(grids, micro-grids, buildings, areas, key persons, key places and cameras: not yet)")
    return "\n".join(lines)
