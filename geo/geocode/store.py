"""Reading cases for the geocoder and writing their placements, in bulk (COPY both ways).

New placements are appended with COPY. Recomputed placements are compared with the stored
ones in the database and only those that differ are replaced, so a re-run writes nothing.
"""

import io

import numpy as np
import pandas as pd
import shapely
from psycopg import sql

from geo.db.connection import load_query
from geo.geocode.crs import to_wgs84_by_row

ASSIGNMENT_COLUMNS = [
    "case_id",
    "status",
    "method",
    "confidence",
    "point",
    "grid_id",
    "micro_grid_id",
    "building_id",
    "building_distance_m",
    "nearest_grid_id",
    "outside_distance_m",
    "address_conflict_m",
    "address_key",
    "candidates",
    "boundary_version_id",
]
INTEGER_COLUMNS = ["grid_id", "micro_grid_id", "building_id", "nearest_grid_id", "boundary_version_id"]


def read_cases(conn, where: str = "true", params=None) -> pd.DataFrame:
    """Cases matching the SQL condition `where` (on `c`, the case, and `a`, its placement).

    Columns: id, lon, lat (WGS84, converted from the raw system when the writer did not),
    address, method and building_id (of the stored placement, if any).
    """
    query = sql.SQL(load_query("cases_to_locate")).format(where=sql.SQL(where))
    buffer = io.BytesIO()
    with conn.cursor().copy(query, params) as copy:
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    frame = pd.read_csv(buffer, dtype={"raw_crs": object, "address_text": object, "method": object})
    raw = frame["lon"].isna() & frame["raw_lon"].notna()
    if raw.any():
        converted = to_wgs84_by_row(frame.loc[raw, "raw_lon"], frame.loc[raw, "raw_lat"], frame.loc[raw, "raw_crs"])
        frame.loc[raw, "lon"], frame.loc[raw, "lat"] = converted
    frame["building_id"] = frame["building_id"].fillna(0).astype(np.int64)
    address = frame["address_text"].astype(object)
    frame["address"] = address.where(address.notna(), None)
    return frame[["id", "lon", "lat", "address", "method", "building_id"]]


def append_assignments(conn, case_ids, placed: pd.DataFrame) -> int:
    """COPY new placements of cases that have none yet; return the number written."""
    _copy(conn, "case_assignment", _rows(case_ids, placed))
    return len(placed)


def replace_changed(conn, case_ids, placed: pd.DataFrame) -> int:
    """Store recomputed placements, touching only the rows that changed; return their count."""
    conn.execute("CREATE TEMP TABLE fresh_assignment (LIKE case_assignment INCLUDING DEFAULTS) ON COMMIT DROP")
    _copy(conn, "fresh_assignment", _rows(case_ids, placed))
    changed = [row[0] for row in conn.execute(load_query("assignment_diff")).fetchall()]
    if changed:
        conn.execute("DELETE FROM case_assignment WHERE case_id = ANY(%s)", [changed])
        conn.execute(
            sql.SQL(
                "INSERT INTO case_assignment ({columns}) SELECT {columns} FROM fresh_assignment WHERE case_id = ANY(%s)"
            ).format(columns=sql.SQL(", ").join(map(sql.Identifier, ASSIGNMENT_COLUMNS))),
            [changed],
        )
    conn.execute("DROP TABLE fresh_assignment")
    return len(changed)


def _rows(case_ids, placed: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame({"case_id": np.asarray(case_ids)})
    for column in ASSIGNMENT_COLUMNS[1:]:
        if column != "point":
            rows[column] = placed[column].to_numpy()
    lon, lat = placed["lon"].to_numpy(dtype=float), placed["lat"].to_numpy(dtype=float)
    points = shapely.set_srid(shapely.points(lon, lat), 4326)
    hexes = shapely.to_wkb(points, hex=True, include_srid=True)
    rows["point"] = np.where(np.isfinite(lon) & np.isfinite(lat), hexes, None)
    for column in INTEGER_COLUMNS:
        rows[column] = pd.array(rows[column], dtype="Int64")
    return rows[ASSIGNMENT_COLUMNS]


def _copy(conn, table: str, rows: pd.DataFrame) -> None:
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, header=False)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, ASSIGNMENT_COLUMNS))
    )
    with conn.cursor().copy(statement) as copy:
        copy.write(buffer.getvalue())
