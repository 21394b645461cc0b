"""`geocode --file IN.csv --out OUT.csv`: one output row per input row, never one dropped.

The input keeps all its columns as text; the output adds the placement. A row that cannot be
read (a longitude that is not a number, a latitude beyond 90°, more fields than the header) is
kept with status `error` and the reason, and the others go on.
"""

import numpy as np
import pandas as pd

from geo.errors import UserError
from geo.geocode.crs import SYSTEMS, system_name, to_wgs84_by_row
from geo.geocode.locate import OUTPUT_COLUMNS, locate
from geo.imports.columns import ADDRESS, CRS, LAT, LON, match_columns
from geo.imports.tables import read_table
from geo.imports.values import coordinate_problem, parse_float

CHUNK_ROWS = 50_000
ADDED = ["geocode_status", "geocode_error"] + [c for c in OUTPUT_COLUMNS if c != "status"]


def geocode_file(conn, source: str, target: str, crs: str | None = None) -> dict:
    """Geocode the CSV `source` into `target` (UTF-8 with BOM, so Excel shows Chinese)."""
    table = read_table(source)
    frame = table.frame
    problems = [f"line {line}: {p}" if p else None for line, p in zip(table.lines, table.problems)]
    columns = _find_columns(frame)
    results = [
        _geocode_chunk(conn, frame.iloc[i : i + CHUNK_ROWS], problems[i : i + CHUNK_ROWS], columns, crs)
        for i in range(0, len(frame), CHUNK_ROWS)
    ]
    added = pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=ADDED)
    counts = added["geocode_status"].value_counts()
    # Added columns never shadow the input's own (an input 'lon' stays 'lon').
    added.columns = [name if name not in frame.columns else f"geocode_{name}" for name in added.columns]
    output = pd.concat([frame.reset_index(drop=True), added.reset_index(drop=True)], axis=1)
    output.to_csv(target, index=False, encoding="utf-8-sig")
    return {"rows": len(frame), "written": len(output), "out": target} | {k: int(v) for k, v in counts.items()}


def _find_columns(frame: pd.DataFrame) -> dict:
    found = match_columns(list(frame.columns), [ADDRESS, LON, LAT, CRS])
    if found["address"] is None and (found["lon"] is None or found["lat"] is None):
        raise UserError(
            "no location columns: need an address column (" + " / ".join(ADDRESS.aliases) + ") or longitude and "
            "latitude columns (" + " / ".join(LON.aliases) + ", " + " / ".join(LAT.aliases) + ")"
        )
    return found


def _geocode_chunk(conn, chunk: pd.DataFrame, problems: list, columns: dict, crs: str | None) -> pd.DataFrame:
    lon, lat, errors = _coordinates(chunk, columns, crs)
    errors = [problem or error for problem, error in zip(problems, errors)]
    address = chunk[columns["address"]] if columns["address"] else pd.Series([""] * len(chunk))
    address = [str(text) if str(text).strip() else None for text in address]
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
    raw_lon = np.array([_number(v) for v in chunk[columns["lon"]]], dtype=float)
    raw_lat = np.array([_number(v) for v in chunk[columns["lat"]]], dtype=float)
    systems, errors = _systems(chunk, columns, crs)
    for i, (text_lon, text_lat) in enumerate(zip(chunk[columns["lon"]], chunk[columns["lat"]])):
        errors[i] = errors[i] or coordinate_problem(text_lon, text_lat)
    usable = np.array([e is None for e in errors]) & np.isfinite(raw_lon) & np.isfinite(raw_lat)
    lon, lat = to_wgs84_by_row(np.where(usable, raw_lon, np.nan), np.where(usable, raw_lat, np.nan), systems)
    return lon, lat, errors


def _number(value) -> float:
    number = parse_float(value)  # full-width digits and XLSX numbers included
    return np.nan if number is None else number


def _systems(chunk, columns, crs) -> tuple[np.ndarray, list]:
    default = system_name(crs) if crs else "wgs84"
    if columns["crs"] is None:
        return np.full(len(chunk), default, dtype=object), [None] * len(chunk)
    systems, errors = [], []
    for text in chunk[columns["crs"]]:
        text = str(text)
        try:
            systems.append(system_name(text) if text.strip() else default)
            errors.append(None)
        except UserError:
            systems.append(default)
            errors.append(f"unknown coordinate system {text!r} (use {', '.join(SYSTEMS)})")
    return np.array(systems, dtype=object), errors
