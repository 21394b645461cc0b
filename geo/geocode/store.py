"""Reading cases for the geocoder and writing their placements, in bulk (COPY both ways).

New placements are appended with COPY. Recomputed placements are compared with the stored
ones in the database and only those that differ are replaced, so a re-run writes nothing.
"""

import queue
import threading

import numpy as np
import pandas as pd
import shapely
from psycopg import sql

from geo.db.connection import load_query
from geo.db.copy import csv_bytes
from geo.db.frames import copied_out
from geo.shared.crs import to_wgs84_by_row

# What a placement copies from its case, for the map's counts (migration 0014). The bulk
# writer passes them; other writers leave them out and the database fills them in.
CASE_FACTS = ["reported_at", "category_code", "source", "closed", "deadline"]
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
    *CASE_FACTS,
]
INTEGER_COLUMNS = ["grid_id", "micro_grid_id", "building_id", "nearest_grid_id", "boundary_version_id"]
CREATE_FRESH = "CREATE TEMP TABLE fresh_assignment (LIKE case_assignment INCLUDING DEFAULTS) ON COMMIT DROP"
# One UPDATE, not a DELETE and an INSERT: the facts' trigger then sees each case leave its old
# grid and enter its new one in one statement, so the totals of an area holding both are not
# written (migration 0024; two boundary commits in one city would otherwise wait on its rows).
UPDATE_CHANGED = (
    "UPDATE case_assignment a SET ({columns}, assigned_at) = ({fresh}, now())"
    " FROM fresh_assignment f WHERE f.case_id = a.case_id AND a.case_id = ANY(%s)"
)
PLACEMENT_COLUMNS = [c for c in ASSIGNMENT_COLUMNS if c != "case_id" and c not in CASE_FACTS]
DROP_FRESH = "DROP TABLE fresh_assignment"


def read_cases(conn, where: str = "true", params=None, limit: int | None = None) -> pd.DataFrame:
    """Cases matching the SQL condition `where` (on `c`, the case, and `a`, its placement),
    by id, the first `limit` of them (all when None).

    Columns: id, lon, lat (WGS84, converted from the raw system when the writer did not),
    has_geom (the case row holds that point itself), address, method and building_id (of the
    stored placement, if any), and the CASE_FACTS a placement copies.
    """
    query = sql.SQL(load_query("geocode/cases_to_locate")).format(
        where=sql.SQL(where), limit=sql.SQL("LIMIT {}").format(sql.Literal(limit)) if limit else sql.SQL("")
    )
    # Only an empty field is missing: an address typed as 'NA' or 'null' is still text.
    frame = pd.read_csv(
        copied_out(conn, query, params),
        dtype={"raw_crs": object, "address_text": object, "method": object, "closed": object},
        keep_default_na=False,
        na_values=[""],
    )
    frame["has_geom"] = frame["lon"].notna()
    frame["closed"] = frame["closed"] == "t"  # COPY writes booleans as t and f
    raw = frame["lon"].isna() & frame["raw_lon"].notna()
    if raw.any():
        converted = to_wgs84_by_row(frame.loc[raw, "raw_lon"], frame.loc[raw, "raw_lat"], frame.loc[raw, "raw_crs"])
        frame.loc[raw, "lon"], frame.loc[raw, "lat"] = converted
    frame["building_id"] = frame["building_id"].fillna(0).astype(np.int64)
    address = frame["address_text"].astype(object)
    frame["address"] = address.where(address.notna(), None)
    return frame[["id", "lon", "lat", "has_geom", "address", "method", "building_id", *CASE_FACTS]]


def replace_changed(conn, case_ids, placed: pd.DataFrame, reported=None) -> int:
    """Store recomputed placements, touching only the rows that changed; return their count."""
    conn.execute(CREATE_FRESH)
    with BackgroundCopy(conn, "fresh_assignment") as writer:
        writer.put(placement_rows(case_ids, placed, reported))
    changed = [row[0] for row in conn.execute(load_query("geocode/assignment_diff")).fetchall()]
    if changed:
        conn.execute(_update_changed(), [changed])
    conn.execute(DROP_FRESH)
    return len(changed)


def _update_changed() -> sql.Composed:
    """The placements' own columns set from fresh_assignment (the case's copies stay)."""
    return sql.SQL(UPDATE_CHANGED).format(
        columns=sql.SQL(", ").join(map(sql.Identifier, PLACEMENT_COLUMNS)),
        fresh=sql.SQL(", ").join(sql.Identifier("f", c) for c in PLACEMENT_COLUMNS),
    )


def placement_rows(case_ids, placed: pd.DataFrame, reported=None, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The table rows of placements; the point is left out where it is the reported one.
    `facts` (the cases' CASE_FACTS, in the order of `case_ids`) may be left out: the
    database copies them then."""
    rows = pd.DataFrame({"case_id": np.asarray(case_ids)})
    for column in ASSIGNMENT_COLUMNS[1:]:
        if column != "point" and column not in CASE_FACTS:
            rows[column] = placed[column].to_numpy()
    for column in CASE_FACTS:
        rows[column] = None if facts is None else facts[column].to_numpy(dtype=object)
    lon, lat = placed["lon"].to_numpy(dtype=float), placed["lat"].to_numpy(dtype=float)
    keep = np.isfinite(lon) & np.isfinite(lat)
    if reported is not None:
        keep &= ~(np.asarray(reported, dtype=bool) & (placed["method"] == "coordinates").to_numpy())
    hexes = np.full(len(rows), None, dtype=object)
    if keep.any():
        points = shapely.set_srid(shapely.points(lon[keep], lat[keep]), 4326)
        hexes[keep] = shapely.to_wkb(points, hex=True, include_srid=True)
    rows["point"] = hexes
    for column in INTEGER_COLUMNS:
        rows[column] = pd.array(rows[column], dtype="Int64")
    return rows[ASSIGNMENT_COLUMNS]


class BackgroundCopy:
    """One COPY into `table` fed from a second thread: while the server stores one chunk, the
    caller computes the next (shapely and Arrow release the GIL, and the server is a process
    of its own). Leaving the block waits for the last chunk and re-raises a failure."""

    def __init__(self, conn, table: str):
        self.conn, self.table = conn, table
        self.chunks: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "BackgroundCopy":
        self.thread.start()
        return self

    def put(self, rows: pd.DataFrame) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(rows)

    def __exit__(self, kind, value, traceback) -> None:
        self.chunks.put(None)
        self.thread.join()
        if self.error is not None and kind is None:
            raise self.error

    def _run(self) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
            sql.Identifier(self.table), sql.SQL(", ").join(map(sql.Identifier, ASSIGNMENT_COLUMNS))
        )
        ended = False  # the end marker was taken: a failure at the end of COPY must not wait for another
        try:
            with self.conn.cursor().copy(statement) as copy:
                while (rows := self.chunks.get()) is not None:
                    copy.write(csv_bytes(rows))
                ended = True
        except BaseException as error:  # handed to the caller's thread in __exit__/put
            self.error = error
            while not ended and self.chunks.get() is not None:
                pass
