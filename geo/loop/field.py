"""What the grid worker's phone page (/m) reads: the tasks dispatched to their grid, the
buildings and key places they visit, and the rounds' coverage; and the visits they log."""

from dataclasses import dataclass

import psycopg

from geo.auth.jurisdiction import Jurisdiction
from geo.db.connection import load_query
from geo.db.frames import query_dicts
from geo.loop.desk import deadline_clock
from geo.loop.moves import worded

LOG_VISIT = "SELECT grid_visit_log(%s, %s, %s)"


@dataclass(frozen=True)
class Coverage:
    buildings: int
    buildings_visited: int  # this month
    places: int
    places_visited: int  # this week

    @property
    def building_share(self) -> float | None:
        return self.buildings_visited / self.buildings if self.buildings else None

    @property
    def place_share(self) -> float | None:
        return self.places_visited / self.places if self.places else None


def tasks(conn: psycopg.Connection, jurisdiction: Jurisdiction) -> list[dict]:
    """Open cases dispatched to the worker's grids, nearest deadline first."""
    rows = query_dicts(conn, load_query("loop/my_tasks"), {"codes": sorted(jurisdiction.codes)})
    for row in rows:
        row["clock"] = deadline_clock(row)
    return rows


def visit_targets(conn: psycopg.Connection, grid_ids) -> list[dict]:
    """The buildings (kind 'b') and key places (kind 'p') of the grids."""
    return query_dicts(conn, load_query("loop/visit_targets"), {"grid_ids": list(grid_ids)})


def coverage(conn: psycopg.Connection, grid_ids) -> Coverage:
    """How much of the grids the rounds covered: buildings this month, key places this week."""
    row = conn.execute(
        load_query("loop/visit_coverage"), {"grid_ids": None if grid_ids is None else list(grid_ids)}
    ).fetchone()
    return Coverage(*row)


def log_visit(conn: psycopg.Connection, target: str, note: str = "") -> int:
    """Log a visit by the session's grid worker to `target` ('b:<building id>' or 'p:<key place id>')."""
    kind, _, number = (target or "").partition(":")
    ref = int(number) if number.isdigit() else None
    building, place = (ref, None) if kind == "b" else (None, ref)
    try:
        with conn.transaction():
            return conn.execute(LOG_VISIT, [building, place, note or ""]).fetchone()[0]
    except psycopg.Error as error:
        raise worded(error) from None
