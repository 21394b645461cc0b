"""Writing checked rows: staged with COPY, then upserted by the layer's SQL, in the caller's
transaction, so that a failure (or kill -9) leaves the database as it was. After boundaries,
buildings or cases change, the geocoder places what they affect before the commit.
"""

from geo.audit import log as audit_log
from geo.db.connection import load_query
from geo.geocode.bulk import NO_GRIDS, assign_pending, reassign

PLACE_BATCH = 200_000  # cases placed at a time: memory stays flat however many are imported
PENDING_CASES = "SELECT count(*) FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id WHERE a.case_id IS NULL"
NEW_BOUNDARY_VERSION = "INSERT INTO boundary_version (author, note) VALUES (%s, %s) RETURNING id"
DROP_BOUNDARY_VERSION = "DELETE FROM boundary_version WHERE id = %s"
WHOLE_CITY_SHARE = 0.25  # beyond this share of a layer changed, re-place everything at once


def upsert(conn, query: str, params: dict | None = None) -> tuple[list, list]:
    """Run an upsert returning (id, inserted) per written row: (ids inserted, ids updated)."""
    written = conn.execute(load_query(query), params).fetchall()
    return [i for i, new in written if new], [i for i, new in written if not new]


def run_script(conn, name: str, params: dict | None = None) -> list:
    """Run the statements of a query file in order (they end with ';' at a line's end);
    return the rows of the last one."""
    statements = [s.strip() for s in load_query(name).split(";\n") if _has_sql(s)]
    cursor = None
    for statement in statements:
        cursor = conn.execute(statement, params)
    return cursor.fetchall() if cursor is not None and cursor.description else []


def _has_sql(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in text.splitlines())


def write_versions(conn, origin: str, script: str, area_query: str, count_current: str) -> dict:
    """Write staged grids or micro-grids as versions (the query file `script`, returning per
    new version whether it is new) in a new boundary version, then place again what moved."""
    version = new_boundary_version(conn, origin)
    changes = run_script(conn, script, {"version_id": version})
    if not changes:  # nothing changed: no version to remember
        conn.execute(DROP_BOUNDARY_VERSION, [version])
    else:
        author, _, source = origin.partition(": ")
        detail = {"version_id": version, "source": source, "changes": len(changes)}
        audit_log.record(conn, author, "boundary.commit", "import", detail)
    inserted = sum(1 for (new,) in changes if new)
    total = conn.execute(count_current).fetchone()[0]
    placed = replace_placements(conn, len(changes), total, area_query)
    return {"inserted": inserted, "updated": len(changes) - inserted, "flags": placed["flags"]}


def new_boundary_version(conn, origin: str) -> int:
    """A boundary version for the grid or micro-grid versions an import writes."""
    author, _, note = origin.partition(": ")
    return conn.execute(NEW_BOUNDARY_VERSION, [author, note]).fetchone()[0]


def place_pending_cases(conn) -> dict:
    """Place the cases without a placement, PLACE_BATCH at a time; return the flags: cases
    outside every grid, addresses waiting for review, or every case waiting when there are
    no grids yet (`geocode --pending` places them once there are)."""
    if conn.execute(NO_GRIDS).fetchone()[0]:
        waiting = conn.execute(PENDING_CASES).fetchone()[0]
        return {"flags": {"cases waiting for grids (run geocode --pending after importing them)": waiting}}
    placed = assign_pending(conn, batch=PLACE_BATCH)
    return {"flags": {"cases outside every grid": placed.get("outside", 0),
                      "addresses waiting for review": placed.get("review", 0)}}  # fmt: skip


def replace_placements(conn, changed: int, total: int, area_query: str | None, params: dict | None = None) -> dict:
    """After `changed` of `total` rows of a boundary or building layer changed: place again
    the cases in the changed area (the WKT `area_query` returns), or all when much changed,
    then the cases still pending."""
    if changed == 0 or conn.execute(NO_GRIDS).fetchone()[0]:
        return {"flags": {}}
    area = None
    if area_query and changed < WHOLE_CITY_SHARE * total:
        area = conn.execute(load_query(area_query), params).fetchone()[0]
    reassign(conn, area)
    return place_pending_cases(conn)
