"""`python -m geo export --layer LAYER --format gpkg|geojson|csv|xlsx|shp FILE`: out again for QGIS.

Columns carry the import's field names, so that exporting a layer and importing the file
changes nothing. Geometry in EPSG:4326, written into the file (a .prj beside a Shapefile,
and a .cpg saying UTF-8, so that Chinese text reads back intact); CSV carries points as
lon/lat and polygons as full-precision WKT, in UTF-8 with a BOM for Excel; XLSX the same
columns as a workbook. A layer without geometry (the category catalogue) goes to CSV or XLSX
only. Times are ISO
text with their offset (a Shapefile has no time type). Key persons leave only as counts per
grid and category, small counts suppressed.
"""

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
import shapely

from geo import clock
from geo.db.connection import connect, load_query
from geo.db.frames import query_frame
from geo.errors import UserError
from geo.imports.layers import LAYERS
from geo.map import areas
from geo.map.suppression import suppress_group
from geo.settings import get_settings
from geo.shared.units import find_unit

DRIVERS = {"gpkg": "GPKG", "geojson": "GeoJSON", "shp": "ESRI Shapefile", "csv": None, "xlsx": None}
XLSX_CELL_CHARS = 32_767
QUERIES = {name: "imports/export_" + name.replace("-", "_") for name in LAYERS}
SHAPEFILE_NAME_LENGTH = 10
SHAPEFILE_TEXT_BYTES = 254
POINT_COLUMNS = ("lon", "lat")
# A Shapefile says its text is UTF-8 (a .cpg); GeoJSON keeps every digit of a coordinate
# (GDAL would keep 15 significant digits, and a re-import would see a changed boundary).
# GeoPackage 1.2: GDAL writes 1.4 by default, which Debian's GDAL 3.6 (and the QGIS built on it)
# opens with a warning that it "may only be partially supported".
GPKG_VERSION = "1.2"
OPTIONS = {
    "shp": {"encoding": "UTF-8"},
    "geojson": {"layer_options": {"COORDINATE_PRECISION": 17}},
    "gpkg": {"dataset_options": {"VERSION": GPKG_VERSION}},
}
COUNTY_EXISTS = "SELECT EXISTS (SELECT 1 FROM admin_area WHERE code = %s AND level = 2)"


def add_parser(commands) -> None:
    cmd = commands.add_parser("export", help="export a layer to GeoPackage, GeoJSON, CSV, XLSX or Shapefile")
    cmd.add_argument("file", help="the file to write")
    cmd.add_argument("--layer", required=True, choices=sorted(QUERIES), help="which layer")
    cmd.add_argument("--format", choices=sorted(DRIVERS), help="default: from the file's suffix")
    cmd.add_argument("--as-of", type=dt.date.fromisoformat, help="boundaries valid, cases reported, by the end of DATE")
    cmd.add_argument("--county", help="only this county's (its 6-digit code)")
    cmd.set_defaults(handler=run)


def run(args) -> int:
    fmt = args.format or Path(args.file).suffix.lower().lstrip(".")
    if fmt not in DRIVERS:
        raise UserError(f"unknown format {fmt!r}: use --format {'|'.join(DRIVERS)}")
    with connect() as conn:
        frame = read_layer(conn, args.layer, args.as_of, args.county)
    write_file(frame, args.file, fmt, layer=args.layer.replace("-", "_"))
    print(f"{len(frame):,} row(s) of {args.layer} written to {args.file}")
    return 0


def read_layer(conn, layer: str, as_of: dt.date | None, county: str | None) -> pd.DataFrame:
    """The layer's rows in the import's field names, `geom` as WKB."""
    if county and not conn.execute(COUNTY_EXISTS, [county]).fetchone()[0]:
        raise UserError(f"no county with code {county!r}")
    at = None
    if as_of:
        at = clock.end_of_day(as_of)
    params = {"at": at, "county": county, "k": get_settings().small_count_k}
    frame = query_frame(conn, load_query(QUERIES[layer]), params)
    return _hide_key_persons(conn, frame, current=at is None) if layer == "key-persons" else frame


def _hide_key_persons(conn, frame: pd.DataFrame, current: bool) -> pd.DataFrame:
    """The counts as the map shows them (small ones and those that would give a small one away
    hidden, geo/map/suppression.py), so that a file and the map together reveal nothing more.
    An export of an earlier day hides per grid as if the grid's total were known."""
    k = get_settings().small_count_k
    shown, published = {}, areas.grid_categories_shown(conn) if current else None
    for grid, rows in frame.groupby("grid_code"):
        counts = dict(zip(rows["category"], rows["persons"].astype(int), strict=True))
        if current and (unit := find_unit(conn, grid)) is not None and unit.kind == "grid":
            cells = published(unit.code)
        else:
            group = suppress_group(counts, k)
            cells = dict.fromkeys(counts) if group.total_hidden else group.cells
        shown.update({(grid, category): cells.get(category) for category in counts})
    persons = [shown[(grid, category)] for grid, category in zip(frame["grid_code"], frame["category"], strict=True)]
    return frame.assign(persons=pd.array(persons, dtype="Int64"), suppressed=[p is None for p in persons])


def write_file(frame: pd.DataFrame, path: str, fmt: str, layer: str | None = None) -> None:
    """Write the rows (from read_layer) as `fmt`; an existing file is replaced. A GeoPackage's
    layer is named `layer` (the data's name, not the file's)."""
    geometry = shapely.from_wkb(frame.pop("geom").to_numpy()) if "geom" in frame else None
    if geometry is None and DRIVERS[fmt]:
        raise UserError(f"this layer has no geometry: export it as csv or xlsx, not {fmt}")
    frame = frame.apply(_as_text_if_times)
    target = Path(path)
    if target.exists():
        target.unlink()
    if fmt in ("csv", "xlsx"):
        (_write_csv if fmt == "csv" else _write_xlsx)(_plain_table(frame, geometry), target)
        return
    if fmt == "shp":
        _require_short_text(frame)
        frame.columns = [str(c)[:SHAPEFILE_NAME_LENGTH] for c in frame.columns]
    table = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    named = {"layer": layer} if fmt == "gpkg" and layer else {}
    table.to_file(target, driver=DRIVERS[fmt], engine="pyogrio", **named, **OPTIONS.get(fmt, {}))


def _require_short_text(frame: pd.DataFrame) -> None:
    """A DBF field holds 254 bytes: refuse rather than cut text that a re-import would then
    store cut."""
    for column in frame.columns:
        long = frame[column].map(lambda v: isinstance(v, str) and len(v.encode("utf-8")) > SHAPEFILE_TEXT_BYTES)
        if long.any():
            raise UserError(f"{int(long.sum()):,} value(s) of {column} are longer than a Shapefile field holds "
                            f"({SHAPEFILE_TEXT_BYTES} bytes): export as gpkg, geojson or csv")  # fmt: skip


def _plain_table(frame: pd.DataFrame, geometry) -> pd.DataFrame:
    """The rows for CSV or XLSX: points as their lon/lat columns, other shapes as a WKT
    column, missing values as empty cells."""
    if geometry is not None and not all(c in frame.columns for c in POINT_COLUMNS):
        frame["wkt"] = shapely.to_wkt(geometry, rounding_precision=-1)
    return frame.astype(object).where(frame.notna(), "")


def _write_xlsx(frame: pd.DataFrame, target: Path) -> None:
    """A workbook of one sheet; a cell holds 32,767 characters: refuse rather than cut."""
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, str) and len(v) > XLSX_CELL_CHARS).any():
            raise UserError(f"values of {column} are longer than an XLSX cell holds: export as csv")
    frame.to_excel(target, index=False, engine="openpyxl")


def _write_csv(frame: pd.DataFrame, target: Path) -> None:
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(frame.columns)
        writer.writerows(frame.itertuples(index=False))


def _as_text_if_times(column: pd.Series) -> pd.Series:
    """Datetimes as ISO text in local time with the offset (kept to the microsecond)."""
    if not any(isinstance(v, dt.datetime) for v in column):
        return column
    zone = ZoneInfo(get_settings().timezone)
    return column.map(lambda v: v.astimezone(zone).isoformat() if isinstance(v, dt.datetime) and pd.notna(v) else None)
