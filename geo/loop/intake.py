"""New cases received by the loop itself: reported on the grid worker's phone page, or posted
by another system with its API key (Open311). Each is stored as 受理 with its category's
deadline and a 'receive' event, and placed by the geocoder in the same transaction, so that it
is on the map and the desk the moment it is committed (migration 0034, case_intake)."""

from dataclasses import dataclass

import psycopg

from geo.geocode.bulk import place_new
from geo.loop.moves import worded

BY_SESSION = "SELECT case_report_by_session(%s, %s, %s, %s, %s)"
BY_SOURCE = "SELECT case_report_by_source(%s, %s, %s, %s, %s, %s)"
PLACED = """SELECT c.code, a.status, g.code FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id
LEFT JOIN grid g ON g.id = coalesce(a.grid_id, a.nearest_grid_id) WHERE c.id = %s"""


@dataclass(frozen=True)
class Received:
    id: int
    code: str
    placement: str | None  # assigned, outside, review (None: not placed)
    grid_code: str | None


def report(conn: psycopg.Connection, category: str, summary: str, lon=None, lat=None, address=None) -> Received:
    """A case reported by the user whose session `conn`'s transaction presents."""
    return _received(conn, BY_SESSION, [category, summary, lon, lat, address])


def post(
    conn: psycopg.Connection, api_key: str, category: str, summary: str, lon=None, lat=None, address=None
) -> Received:
    """A case posted by the system whose API key is `api_key`."""
    return _received(conn, BY_SOURCE, [api_key, category, summary, lon, lat, address])


def _received(conn: psycopg.Connection, query: str, params: list) -> Received:
    try:
        with conn.transaction():
            case_id = conn.execute(query, params).fetchone()[0]
            place_new(conn, [case_id])
            code, placement, grid_code = conn.execute(PLACED, [case_id]).fetchone()
    except psycopg.Error as error:
        raise worded(error) from None
    return Received(case_id, code, placement, grid_code)
