"""`geocode --file IN.csv --out OUT.csv`: one output row per input row, never one dropped.

The input keeps all its columns as text; the output adds the placement. A row that cannot be
read (a longitude that is not a number, a latitude beyond 90°, more fields than the header) is
kept with status `error` and the reason, and the others go on.
"""

import numpy as np
import pandas as pd

from geo.errors import UserError
from geo.geocode.locate import OUTPUT_COLUMNS, locate
from geo.imports.columns import ADDRESS, CRS, LAT, LON, match_columns
from geo.imports.coordinates import read_coordinates
from geo.imports.tables import read_table

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
    coordinates = read_coordinates(chunk, columns, crs)
    lon, lat = coordinates.lon, coordinates.lat
    errors = [problem or error for problem, error in zip(problems, coordinates.problems)]
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
