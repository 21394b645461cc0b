"""What the live wall screen asks of the database: the scope's new cases since a moment, the
longest-overdue cases and the grid that turned red most recently.

New cases are found by when they were placed (`case_assignment.assigned_at`, the placing
transaction's start) among the cases of the live window. A transaction is seen only once it
commits, so a reader asks again from OVERLAP_S before its last look and drops the ids it
already has: a case placed by a transaction that took less than OVERLAP_S is never missed.
"""

import datetime as dt

import orjson

from geo.db.connection import load_query
from geo.db.frames import query_frame

LIVE_WINDOW_H = 24
OVERLAP_S = 15
LIVE_LIMIT = 2000


def db_now(conn) -> dt.datetime:
    """The database's clock (the watermark of what a reader has seen)."""
    return conn.execute(load_query("live/db_now")).fetchone()[0]


def live_cases(conn, grid_ids: list[int] | None, seen_at: dt.datetime | None = None, limit: int = LIVE_LIMIT):
    """DataFrame of the scope's cases of the last LIVE_WINDOW_H hours, newest first: id, code,
    category, source, summary, reported_at, state, grid_name, lon, lat. With `seen_at` (the
    `db_now` of the reader's last look) only those placed since, with OVERLAP_S to spare.

    Example:
        >>> before = db_now(conn); ...; live_cases(conn, None, before)  # what came in since
    """
    since = None if seen_at is None else seen_at - dt.timedelta(seconds=OVERLAP_S)
    params = {"grid_ids": grid_ids, "since": since, "window_h": LIVE_WINDOW_H, "limit": limit}
    return query_frame(conn, load_query("live/live_cases"), params)


def overdue_cases(conn, grid_ids: list[int] | None, limit: int = 8):
    """DataFrame of the scope's open cases longest past their deadline: code, category,
    summary, deadline, grid_name, lon, lat."""
    return query_frame(conn, load_query("live/overdue_cases"), {"grid_ids": grid_ids, "limit": limit})


def escalations(conn, grid_ids: list[int] | None, limit: int = 6):
    """DataFrame of the scope's escalations of the last 24 hours, newest first: at, category,
    grid_name, level_zh, level_en, reason (the case loop's notices, migration 0033)."""
    return query_frame(conn, load_query("live/escalations"), {"grid_ids": grid_ids, "limit": limit})


def turned_red(conn, grid_ids: list[int] | None) -> dict | None:
    """The scope's grid that turned red most recently (or the highest red one), with its
    explanation and bounds; None when no grid is red."""
    frame = query_frame(conn, load_query("live/turned_red"), {"grid_ids": grid_ids})
    return None if frame.empty else frame.iloc[0].to_dict()


def red_context(conn, code: str) -> tuple[dict, list | None]:
    """(GeoJSON, bounds) of a red grid in its community: features with a `role` of 'target',
    'neighbour' (the community's other grids) or 'mask' (everything around the community);
    bounds [[south, west], [north, east]] of the community, or of the grid when it has none."""
    rows = conn.execute(load_query("live/red_context"), {"code": code}).fetchall()
    features = [
        {"type": "Feature", "properties": {"role": role}, "geometry": orjson.loads(geometry)} for role, geometry in rows
    ]
    framed = conn.execute(load_query("live/red_context_bounds"), {"code": code}).fetchone()
    bounds = [[framed[1], framed[0]], [framed[3], framed[2]]] if framed else None
    return {"type": "FeatureCollection", "features": features}, bounds
