"""`geocode --file IN.csv --out OUT.csv`: one output row per input row, never one dropped.

The input keeps all its columns as text; the output adds the placement. A row that cannot be
read (a longitude that is not a number, a latitude beyond 90°, more fields than the header) is
kept with status `error` and the reason, and the others go on.
"""

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import UserError
from geo.geocode.crs import SYSTEMS, system_name, to_wgs84_by_row
from geo.geocode.locate import OUTPUT_COLUMNS, locate

ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM), else GBK and its superset
ADDRESS_NAMES = ("地址", "详细地址", "事发地址", "事件地址", "标准地址", "address", "addr", "location")
LON_NAMES = ("经度", "lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("纬度", "lat", "latitude", "y")
CRS_NAMES = ("坐标系", "crs", "coordinate_system", "srs")
CHUNK_ROWS = 50_000
ADDED = ["geocode_status", "geocode_error"] + [c for c in OUTPUT_COLUMNS if c != "status"]


def geocode_file(conn, source: str, target: str, crs: str | None = None) -> dict:
    """Geocode the CSV `source` into `target` (UTF-8 with BOM, so Excel shows Chinese)."""
    frame, problems = read_table(source)
    columns = _find_columns(frame)
    results = [
        _geocode_chunk(conn, frame.iloc[i : i + CHUNK_ROWS], problems[i : i + CHUNK_ROWS], columns, crs)
        for i in range(0, len(frame), CHUNK_ROWS)
    ]
    added = pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=ADDED)
    # Added columns never shadow the input's own (an input 'lon' stays 'lon').
    added.columns = [name if name not in frame.columns else f"geocode_{name}" for name in added.columns]
    output = pd.concat([frame.reset_index(drop=True), added.reset_index(drop=True)], axis=1)
    output.to_csv(target, index=False, encoding="utf-8-sig")
    counts = output["geocode_status"].value_counts()
    return {"rows": len(frame), "written": len(output), "out": target} | {k: int(v) for k, v in counts.items()}


def read_table(path: str) -> tuple[pd.DataFrame, list]:
    """Every cell as text, in the first encoding that decodes the whole file, and per row
    the reason it is malformed (None when fine). A row with more or fewer fields than the
    header is kept, its fields as far as they go, so that no row is lost."""
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise UserError(f"{path}: the file is empty")
    header = [cell.strip() for cell in header]
    rows, problems = [], []
    for fields in reader:
        if not any(cell.strip() for cell in fields):
            continue  # blank lines are not rows
        problems.append(None if len(fields) == len(header) else _width_problem(reader.line_num, fields, header))
        rows.append((fields + [""] * len(header))[: len(header)])
    return pd.DataFrame(rows, columns=header, dtype=object), problems


def _decode(path: str) -> str:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError as error:
        raise UserError(f"{path}: no such file") from error
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(f"{path}: neither UTF-8 nor GBK text")


def _width_problem(line: int, fields: list, header: list) -> str:
    return f"line {line}: {len(fields)} fields where the header has {len(header)} (an unquoted comma?)"


def _find_columns(frame: pd.DataFrame) -> dict:
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    found = {
        role: next((lowered[n] for n in names if n in lowered), None)
        for role, names in (("address", ADDRESS_NAMES), ("lon", LON_NAMES), ("lat", LAT_NAMES), ("crs", CRS_NAMES))
    }
    if found["address"] is None and (found["lon"] is None or found["lat"] is None):
        raise UserError(
            "no location columns: need an address column (" + "/".join(ADDRESS_NAMES) + ") or longitude and "
            "latitude columns (" + "/".join(LON_NAMES) + ", " + "/".join(LAT_NAMES) + ")"
        )
    return found


def _geocode_chunk(conn, chunk: pd.DataFrame, problems: list, columns: dict, crs: str | None) -> pd.DataFrame:
    lon, lat, errors = _coordinates(chunk, columns, crs)
    errors = [problem or error for problem, error in zip(problems, errors)]
    address = chunk[columns["address"]] if columns["address"] else pd.Series([""] * len(chunk))
    address = [text if text.strip() else None for text in address]
    errors = [
        e or ("no coordinates and no address" if a is None and not np.isfinite(x) else None)
        for e, a, x in zip(errors, address, lon)
    ]
    placed = locate(conn, lon, lat, address)
    placed.insert(0, "geocode_error", errors)
    placed = placed.rename(columns={"status": "geocode_status"})
    placed.loc[placed["geocode_error"].notna(), "geocode_status"] = "error"
    return placed[ADDED]


def _coordinates(chunk: pd.DataFrame, columns: dict, crs: str | None):
    """WGS84 lon/lat per row (NaN when absent or unusable) and an error text per row."""
    count = len(chunk)
    if columns["lon"] is None or columns["lat"] is None:
        return np.full(count, np.nan), np.full(count, np.nan), [None] * count
    raw_lon = pd.to_numeric(chunk[columns["lon"]].str.strip(), errors="coerce").to_numpy(dtype=float)
    raw_lat = pd.to_numeric(chunk[columns["lat"]].str.strip(), errors="coerce").to_numpy(dtype=float)
    systems, errors = _systems(chunk, columns, crs)
    for i, (text_lon, text_lat) in enumerate(zip(chunk[columns["lon"]], chunk[columns["lat"]])):
        errors[i] = errors[i] or _coordinate_error(text_lon, text_lat, raw_lon[i], raw_lat[i])
    usable = np.array([e is None for e in errors]) & np.isfinite(raw_lon) & np.isfinite(raw_lat)
    lon, lat = to_wgs84_by_row(np.where(usable, raw_lon, np.nan), np.where(usable, raw_lat, np.nan), systems)
    return lon, lat, errors


def _systems(chunk, columns, crs) -> tuple[np.ndarray, list]:
    default = system_name(crs) if crs else "wgs84"
    if columns["crs"] is None:
        return np.full(len(chunk), default, dtype=object), [None] * len(chunk)
    systems, errors = [], []
    for text in chunk[columns["crs"]]:
        try:
            systems.append(system_name(text) if text.strip() else default)
            errors.append(None)
        except UserError:
            systems.append(default)
            errors.append(f"unknown coordinate system {text!r} (use {', '.join(SYSTEMS)})")
    return np.array(systems, dtype=object), errors


def _coordinate_error(text_lon: str, text_lat: str, lon: float, lat: float) -> str | None:
    if not text_lon.strip() and not text_lat.strip():
        return None  # no coordinates: the address decides
    if not text_lon.strip() or not text_lat.strip():
        return "only one of longitude and latitude is given"
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return f"coordinate is not a finite number: {text_lon!r}, {text_lat!r}"
    if abs(lat) > 90 and abs(lon) <= 90:
        return f"latitude {lat} is beyond ±90°: longitude and latitude look swapped"
    if abs(lon) > 180 or abs(lat) > 90:
        return f"coordinate out of range: {lon}, {lat}"
    return None
