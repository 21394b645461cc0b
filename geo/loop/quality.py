"""Closure quality (what few platforms show): of the cases closed in a period, the share closed
on time, the median days to close, the share reopened, the repeat reports at the same building
within 90 days after a close, call-back satisfaction, and the share "closed but not solved"
(followed by such a repeat); for an area or grid and per handling department."""

import datetime as dt
from dataclasses import dataclass

import psycopg

from geo.db.connection import load_query


@dataclass(frozen=True)
class Quality:
    handler: str | None  # None: all; 'grid': handled in the grids; else a case_handler code
    closed: int
    on_time: int
    median_days: float | None
    reopened: int
    called_back: int
    satisfied: int
    repeat_reports: int
    not_solved: int

    def share(self, part: str, of: str = "closed") -> float | None:
        """getattr(part) / getattr(of), None when nothing to divide by."""
        whole = getattr(self, of)
        return getattr(self, part) / whole if whole else None


def closure_quality(
    conn: psycopg.Connection, grid_ids: list[int] | None, start: dt.date, end: dt.date
) -> tuple[Quality, list[Quality]]:
    """(the figures of everything, the figures per handler, most closed first) for cases closed
    from `start` to `end` (inclusive days) in `grid_ids` (None: every grid)."""
    params = {"grid_ids": grid_ids, "start": start, "end": end + dt.timedelta(days=1)}
    rows = [Quality(*row) for row in conn.execute(load_query("loop/closure_quality"), params).fetchall()]
    if not rows:
        return Quality(None, 0, 0, None, 0, 0, 0, 0, 0), []
    return rows[0], rows[1:]


ESCALATED = """SELECT count(*) FROM case_notice
WHERE at >= %(start)s AND at < %(end)s AND (%(grid_ids)s::integer[] IS NULL OR grid_id = ANY (%(grid_ids)s))"""


def escalations(conn: psycopg.Connection, grid_ids: list[int] | None, start: dt.date, end: dt.date) -> int:
    """How many times cases of `grid_ids` (None: every grid) went up a level in the period."""
    params = {"grid_ids": grid_ids, "start": start, "end": end + dt.timedelta(days=1)}
    return conn.execute(ESCALATED, params).fetchone()[0]
