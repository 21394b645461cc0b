"""Writing checked rows: an upsert keyed on the source id, then the geocoder places what changed.

All in the caller's transaction, so a failure (or kill -9) leaves the database as it was.
Coordinates are stored as given (raw_lon, raw_lat, raw_crs) and converted to WGS84 (geom).
"""

import pandas as pd

from geo.db.connection import load_query
from geo.db.copy import copy_rows
from geo.geocode.bulk import NO_GRIDS, assign_pending

CREATE_STAGING = """
CREATE TEMP TABLE import_cases (
    code text, source text, category_code text, summary text, reported_at timestamptz,
    lon double precision, lat double precision, raw_lon double precision, raw_lat double precision,
    raw_crs text, address_text text, status text,
    deadline timestamptz, closed_at timestamptz
) ON COMMIT DROP"""
STAGING_COLUMNS = ["code", "source", "category_code", "summary", "reported_at", "lon", "lat", "raw_lon", "raw_lat",
                   "raw_crs", "address_text", "status", "deadline", "closed_at"]  # fmt: skip
FORGET_PLACEMENTS = "DELETE FROM case_assignment WHERE case_id = ANY(%s)"


def write_cases(conn, rows: pd.DataFrame) -> dict:
    """Upsert `rows` (from geo.imports.cases.check_rows) and place the cases written.

    Returns counts: inserted, updated, unchanged, and the geocoder's summary.
    """
    if rows.empty:
        return {"inserted": 0, "updated": 0, "unchanged": 0, "placed": None}
    conn.execute(CREATE_STAGING)
    copy_rows(conn, "import_cases", STAGING_COLUMNS, rows)
    written = conn.execute(load_query("import_cases_upsert")).fetchall()
    updated = [case_id for case_id, inserted in written if not inserted]
    conn.execute(FORGET_PLACEMENTS, [updated])  # a changed case is placed again
    # Without grids yet (cases imported first), the cases wait: `geocode --pending` places them.
    placed = None if conn.execute(NO_GRIDS).fetchone()[0] else assign_pending(conn)
    inserted = len(written) - len(updated)
    return {"inserted": inserted, "updated": len(updated), "unchanged": len(rows) - len(written), "placed": placed}
