"""The rows of a case CSV checked in columns: the same outcome as geo.imports.rows row by row,
at the cost of a few array operations per column.

Rows are split in two. A plain row (text cells without control characters, the required
cells filled, ISO dates and times of a real day, decimal coordinates inside their range, a
known status and coordinate system) cannot be rejected nor warned about: its values are
computed for the whole column at once, and the catalogue, channel and status lookups run once
per distinct cell. Every other row goes through geo.imports.rows as before, so its reason
(or warning) is the one it always was. A file with a geometry column, or cells that are not
text (an XLSX), goes through geo.imports.rows whole.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.errors import UserError
from geo.imports.coordinates import raw_coordinates, require_degrees
from geo.imports.csv_columns import BLANK
from geo.imports.geometry import crs_system
from geo.imports.layer import Checked
from geo.imports.rows import check_table
from geo.imports.tables import Table
from geo.settings import get_settings
from geo.shared.categories import resolve
from geo.shared.crs import system_name, to_wgs84_by_row

CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # geo.imports.values.CONTROL for Arrow's RE2
# The ISO forms parse_datetime reads with fromisoformat, limited to real hours and minutes.
ISO = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?$"
DATE_ONLY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DECIMAL = r"^-?[0-9]{1,3}(\.[0-9]+)?$"
YEARS = (1900, 2100)
TEXT_FIELDS = ("code", "category", "group", "summary", "reported_at", "source", "status", "deadline", "closed_at",
               "address")  # fmt: skip
DATES = ("reported_at", "deadline", "closed_at")


def check_cases(table: Table, layer, columns: dict, crs: str | None, repair: bool, lookups) -> Checked:
    """Check a Table of the cases layer (geo.imports.rows.check_table's contract)."""
    if not _columnar(table, columns):
        return check_table(table, layer, columns, crs, repair, lookups)
    cells = {name: _cells(table, columns, name) for name in (*TEXT_FIELDS, "lon", "lat", "crs")}
    plain = np.array([problem is None for problem in table.problems], bool)
    for name in TEXT_FIELDS:
        plain &= ~_matches(cells[name], CONTROL)
    for name in ("code", "summary", "reported_at"):
        plain &= ~_matches(cells[name], BLANK)
    blank = {name: _matches(cells[name], BLANK) for name in TEXT_FIELDS}
    iso = {name: _matches(cells[name], ISO) for name in DATES}
    plain &= iso["reported_at"] & (blank["deadline"] | iso["deadline"]) & (blank["closed_at"] | iso["closed_at"])
    located, plain = _located(table, columns, cells, crs, plain)
    values, plain = _values(cells, blank, iso, located, lookups, plain)
    slow = np.flatnonzero(~plain)
    checked = (
        check_table(_rows_of(table, slow), layer, columns, crs, repair, lookups, degrees_checked=True)
        if len(slow)
        else Checked(pd.DataFrame())
    )
    fast = _staged(values, np.asarray(table.lines), plain)
    frames = [frame for frame in (fast, _utc(checked.rows)) if len(frame)]
    rows = pd.concat(frames, ignore_index=True).sort_values("line", ignore_index=True) if frames else pd.DataFrame()
    return Checked(rows, checked.rejected, checked.warnings)


def _columnar(table: Table, columns: dict) -> bool:
    """Whether the table suits the columnar check: CSV text, points by columns or address."""
    if table.geometry is not None or columns.get("geometry") is not None:
        return False
    if columns.get("address") is None and (columns.get("lon") is None or columns.get("lat") is None):
        return False  # geo.imports.rows refuses the file, in its words
    return table.text


def _cells(table: Table, columns: dict, name: str) -> pa.Array:
    column = columns.get(name)
    if column is None:
        return pa.array([""] * len(table.lines), pa.string())
    return pa.array(table.frame[column].to_numpy(), pa.string())


def _matches(cells: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(cells, pattern).fill_null(False).to_numpy(zero_copy_only=False)


def _text(cells: pa.Array, blank: np.ndarray) -> np.ndarray:
    """Cells as given, None where blank."""
    values = cells.to_numpy(zero_copy_only=False).astype(object)
    values[blank] = None
    return values


def _located(table: Table, columns: dict, cells: dict, crs: str | None, plain: np.ndarray):
    """(lon, lat, raw_lon, raw_lat, systems) of every row, and the plain rows narrowed to
    those whose coordinates are usable decimals or absent. The file-wide test that the
    coordinates are degrees runs here, over every row, as geo.imports.coordinates does."""
    count = len(plain)
    option = system_name(crs_system(crs)) if crs else "wgs84"
    systems = np.full(count, option, dtype=object)
    raw_lon, raw_lat = np.full(count, np.nan), np.full(count, np.nan)
    if columns.get("lon") is None or columns.get("lat") is None:
        return (raw_lon.copy(), raw_lat.copy(), raw_lon, raw_lat, systems), plain
    x, y = cells["lon"], cells["lat"]
    empty = (pc.equal(x, "").to_numpy(zero_copy_only=False)) & (pc.equal(y, "").to_numpy(zero_copy_only=False))
    numbers = _matches(x, DECIMAL) & _matches(y, DECIMAL)
    plain = plain & (empty | numbers)
    if columns.get("crs") is not None:
        named, plain = _systems(cells["crs"], plain)
        systems = np.where(pd.isna(named), systems, named).astype(object)
    take = plain & numbers
    raw_lon[take] = pc.cast(x.filter(pa.array(take)), pa.float64()).to_numpy()
    raw_lat[take] = pc.cast(y.filter(pa.array(take)), pa.float64()).to_numpy()
    rest = np.flatnonzero(~plain)
    if len(rest):
        other = raw_coordinates(table.frame.iloc[rest], columns | {"crs": columns.get("crs")}, crs)
        raw_lon[rest], raw_lat[rest] = other.raw_lon, other.raw_lat
    if columns.get("crs") is None and not option.startswith("epsg:"):
        require_degrees(raw_lon, raw_lat)
    lon, lat = to_wgs84_by_row(np.where(plain, raw_lon, np.nan), np.where(plain, raw_lat, np.nan), systems)
    on_earth = np.isfinite(lon) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    plain &= empty | on_earth
    return (lon, lat, raw_lon, raw_lat, systems), plain


def _systems(cells: pa.Array, plain: np.ndarray):
    """Per row the system its 坐标系 cell names (None when blank); rows naming none known are not plain."""
    codes, uniques = pd.factorize(cells.to_numpy(zero_copy_only=False))
    named = []
    for text in uniques:
        name = str(text).strip()
        try:
            named.append(system_name(name) if name else None)
        except UserError:  # geo.imports.coordinates words the reason
            named.append(False)
    named = np.array(named + [None], dtype=object)[codes]
    return np.where(named == False, None, named), plain & (named != False)  # noqa: E712


def _values(cells: dict, blank: dict, iso: dict, located, lookups, plain: np.ndarray):
    """The staged values of every row (meaningful for the plain ones), and the plain rows
    narrowed to those the layer's rules accept."""
    values = {name: _text(cells[name], blank[name]) for name in TEXT_FIELDS}
    values["code"] = np.array([str(code).strip() for code in values["code"]], dtype=object)
    status, known = _per_value(
        values["status"], lambda cell: lookups.statuses.get((cell or "accepted").strip().lower())
    )
    plain &= known
    category, raw, unknown, days = _categories(values["category"], values["group"], lookups)
    from geo.imports.layers.cases import _source  # noqa: PLC0415 (cases.py imports this module)

    source, _ = _per_value(values["source"], lambda cell: _source(cell)["source"])
    source_raw, _ = _per_value(values["source"], lambda cell: _source(cell)["source_raw"], allow_none=True)
    times, plain = _times(values, iso, days, status, plain)
    lon, lat, raw_lon, raw_lat, systems = located
    has_point = np.isfinite(raw_lon)
    plain &= has_point | ~blank["address"]
    staged = {"code": values["code"], "summary": values["summary"], "lon": lon, "lat": lat, **times}
    staged |= {"category_code": category, "status": status, "source": source, "source_raw": source_raw}
    staged |= {"address_text": values["address"], "raw_crs": np.where(has_point, systems, None)}
    staged |= {"category_raw": raw, "category_unknown": unknown}
    return staged | {
        "raw_lon": np.where(has_point, raw_lon, np.nan),
        "raw_lat": np.where(has_point, raw_lat, np.nan),
    }, plain


def _per_value(cells: np.ndarray, function, allow_none: bool = False):
    """function(cell) for each distinct cell; (per row the result, per row whether it is not None)."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    results = np.array([function(None if pd.isna(cell) else cell) for cell in uniques] + [None], dtype=object)
    per_row = results[codes]
    return per_row, (np.ones(len(cells), bool) if allow_none else per_row != None)  # noqa: E711


def _categories(category: np.ndarray, group: np.ndarray, lookups):
    """Per row the category code, the text kept, whether unknown, and the deadline in days."""
    first, first_values = pd.factorize(category, use_na_sentinel=False)
    second, second_values = pd.factorize(group, use_na_sentinel=False)
    pairs, inverse = np.unique(first * max(len(second_values), 1) + second, return_inverse=True)
    resolved = []
    for pair in pairs:
        cells = tuple(None if pd.isna(v) else v for v in (first_values[pair // max(len(second_values), 1)],
                                                          second_values[pair % max(len(second_values), 1)]))  # fmt: skip
        found = lookups.resolved.get(cells) or lookups.resolved.setdefault(cells, resolve(lookups.catalogue, *cells))
        resolved.append((found.code, found.raw, found.unknown, lookups.catalogue.deadline_days[found.code]))
    table = np.array(resolved, dtype=object).reshape(-1, 4)[inverse.reshape(-1)] if len(pairs) else np.empty((0, 4))
    return table[:, 0], table[:, 1], table[:, 2].astype(bool), table[:, 3].astype("int64")


def _times(values: dict, iso: dict, days: np.ndarray, status: np.ndarray, plain: np.ndarray):
    """reported_at, deadline and closed_at as instants (the city's time zone for times without
    one), and the plain rows narrowed to those whose times agree with each other and their status."""
    zone = get_settings().timezone
    local = {name: pd.to_datetime(pd.Series(np.where(iso[name], values[name], None)), format="ISO8601",
                                  errors="coerce") for name in DATES}  # fmt: skip
    for name in DATES:
        present = ~pd.isna(values[name])
        year = local[name].dt.year.to_numpy(dtype=float, na_value=np.nan)
        plain &= ~present | ((year >= YEARS[0]) & (year <= YEARS[1]))
    given = ~pd.isna(values["deadline"])
    dated_only = given & _matches(pa.array(values["deadline"], pa.string()), DATE_ONLY)
    deadline = local["deadline"].where(~pd.Series(dated_only), local["deadline"] + pd.Timedelta(hours=23, minutes=59,
                                                                                               seconds=59))  # fmt: skip
    deadline = deadline.where(pd.Series(given), local["reported_at"] + pd.to_timedelta(days, unit="D"))
    instants = {name: _in_zone(series, zone) for name, series in
                (("reported_at", local["reported_at"]), ("deadline", deadline), ("closed_at", local["closed_at"]))}  # fmt: skip
    reported, ends, closed = (instants[n] for n in ("reported_at", "deadline", "closed_at"))
    has_closed = ~pd.isna(values["closed_at"])
    plain &= reported.notna().to_numpy() & ends.notna().to_numpy() & (~has_closed | closed.notna().to_numpy())
    plain &= (ends > reported).to_numpy()
    plain &= (status == "closed") == has_closed
    plain &= ~has_closed | ~(closed < reported).to_numpy()
    return instants, plain


def _in_zone(local: pd.Series, zone: str) -> pd.Series:
    """Local times as UTC instants; a time the zone skips or repeats is NaT (such rows go row by row)."""
    return local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC").dt.as_unit("us")


def _staged(values: dict, lines: np.ndarray, plain: np.ndarray) -> pd.DataFrame:
    """The plain rows as staging rows."""
    rows = {"line": lines[plain]}
    for name, column in values.items():
        rows[name] = column[plain] if isinstance(column, np.ndarray) else column[plain].reset_index(drop=True)
    return pd.DataFrame(rows)


def _utc(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows checked row by row with their times as UTC instants (as the plain rows have them)."""
    if not len(rows):
        return rows
    return rows.assign(**{name: pd.to_datetime(rows[name], utc=True).dt.as_unit("us") for name in DATES})


def _rows_of(table: Table, rows: np.ndarray) -> Table:
    """The sub-table of the given row positions."""
    return Table(
        table.frame.iloc[rows].reset_index(drop=True),
        [table.lines[i] for i in rows],
        [table.problems[i] for i in rows],
    )
