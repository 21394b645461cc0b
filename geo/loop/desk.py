"""What the dispatch desk (/cases) reads: the queue of a view inside a jurisdiction, how many
cases each view holds, one case with its clocks, likely duplicates and where it may go.

Every read takes the jurisdiction (geo/auth/jurisdiction.py) and keeps to it; the moves
themselves go through geo/loop/moves.py, which the database checks again."""

from dataclasses import dataclass

import psycopg
from psycopg import sql

from geo.auth.jurisdiction import Jurisdiction
from geo.db.connection import load_query
from geo.db.frames import query_dicts

QUEUE_LIMIT = 200
DUPLICATE_DAYS = 14  # a likely duplicate was reported up to this many days before the case
DUPLICATE_METRES = 150  # … at the same building or within this distance
CALL_BACK_DAYS = 30  # closed cases stay in the call-back view this long

# The views of the queue: a condition on the case `c` each, in the order the desk shows them.
VIEWS = {
    "new": "c.status = 'accepted'",
    "returned": "c.status = 'returned'",
    "overdue": "c.status <> 'closed' AND c.deadline < now()",
    "escalated": "c.status <> 'closed' AND c.escalation_level <> 'grid'",
    "to_verify": "c.status = 'feedback'",
    "to_close": "c.status IN ('verified', 'follow_up')",
    "to_call": f"c.status = 'closed' AND c.called_back_at IS NULL AND c.merged_into IS NULL"
    f" AND c.closed_at > now() - interval '{CALL_BACK_DAYS} days'",
    "open": "c.status <> 'closed'",
}


@dataclass(frozen=True)
class Clock:
    """A case's remaining time, in seconds (negative: over), and its colour: 'ok', 'amber'
    (the last quarter of its time, or less than 4 hours of the state's clock) or 'red'."""

    left_s: float | None
    colour: str


def queue(
    conn: psycopg.Connection,
    jurisdiction: Jurisdiction,
    view: str,
    group: str | None = None,
    search: str | None = None,
    limit: int = QUEUE_LIMIT,
) -> list[dict]:
    """The cases of `view` (a key of VIEWS), most pressing first, at most `limit`."""
    condition = sql.SQL(VIEWS[view])  # noqa: S608 - a fixed condition of VIEWS, never input
    query = sql.SQL(load_query("loop/desk_queue")).format(view=condition)
    params = _scope(jurisdiction) | {"group": group or None, "search": _like(search), "limit": limit}
    rows = query_dicts(conn, query, params)
    for row in rows:
        row["clock"] = deadline_clock(row)
    return rows


def view_counts(conn: psycopg.Connection, jurisdiction: Jurisdiction) -> dict[str, int]:
    """{view: how many cases} inside the jurisdiction."""
    counts = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE {}) AS {}").format(sql.SQL(condition), sql.Identifier(view))
        for view, condition in VIEWS.items()
    )
    query = sql.SQL(load_query("loop/desk_counts")).format(counts=counts)
    return query_dicts(conn, query, _scope(jurisdiction))[0]


def find_case(conn: psycopg.Connection, jurisdiction: Jurisdiction, code: str) -> dict | None:
    """The case `code` with its names, place and clocks; None when there is none inside the
    jurisdiction (the two look the same)."""
    rows = query_dicts(conn, load_query("loop/desk_case"), _scope(jurisdiction) | {"code": code})
    if not rows:
        return None
    case = rows[0]
    case["clock"] = deadline_clock(case)
    case["state_clock"] = state_clock(case["state_left_s"])
    return case


def duplicates(conn: psycopg.Connection, jurisdiction: Jurisdiction, case_id: int) -> list[dict]:
    """Likely duplicates of the case: same category, same building or near, reported shortly before."""
    params = _scope(jurisdiction) | {"id": case_id, "days": DUPLICATE_DAYS, "metres": DUPLICATE_METRES}
    return query_dicts(conn, load_query("loop/duplicates"), params)


def dispatch_targets(conn: psycopg.Connection, jurisdiction: Jurisdiction, case_id: int) -> list[dict]:
    """Grids of the case's community inside the jurisdiction, then departments and mediation rooms."""
    return query_dicts(conn, load_query("loop/dispatch_targets"), _scope(jurisdiction) | {"id": case_id})


def legal_moves(conn: psycopg.Connection, case: dict, role: str) -> list[str]:
    """The actions `role` may take on `case` (the transition table's; a case is called back once)."""
    rows = conn.execute(
        "SELECT action FROM case_transition WHERE from_status = %s AND %s = ANY (roles) ORDER BY action",
        [case["status"], role],
    ).fetchall()
    return [action for (action,) in rows if not (action == "call_back" and case.get("called_back_at"))]


def deadline_clock(case: dict) -> Clock:
    """The case's deadline clock; closed cases have none."""
    left, span = case.get("deadline_left_s"), case.get("deadline_span_s") or 0
    if case.get("status") == "closed" or left is None:
        return Clock(None, "ok")
    return Clock(left, "red" if left < 0 else "amber" if left < 0.25 * span else "ok")


def state_clock(left_s: float | None) -> Clock:
    """The current state's own clock (case_state_clock), when it has one."""
    if left_s is None:
        return Clock(None, "ok")
    return Clock(left_s, "red" if left_s < 0 else "amber" if left_s < 4 * 3600 else "ok")


def _scope(jurisdiction: Jurisdiction) -> dict:
    return {"whole": jurisdiction.whole, "grid_ids": list(jurisdiction.grid_ids), "codes": sorted(jurisdiction.codes)}


def _like(search: str | None) -> str | None:
    """A search text as an ILIKE pattern that matches it literally anywhere."""
    text = (search or "").strip()[:60]
    if not text:
        return None
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
