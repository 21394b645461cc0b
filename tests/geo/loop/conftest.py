"""A private copy of the small demo city for the loop's tests (they write), cases made here
and placed by the geocoder, and users signed in as the dashboard's role."""

import psycopg
import pytest

from geo.auth.sessions import use_session
from geo.db.connection import app_database_url, connect
from geo.geocode.bulk import place_new
from geo.loop.moves import Moved, move
from tests.conftest import copy_database
from tests.geo.auth.conftest import open_test_session

NEW_CASE = """INSERT INTO cases (code, source, category_code, summary, reported_at, geom, raw_lon, raw_lat,
                   raw_crs, status, deadline)
SELECT %(code)s, 'grid_worker', %(category)s, '测试案件', %(reported)s, p, ST_X(p), ST_Y(p), 'wgs84', 'accepted',
       %(reported)s::timestamptz + interval '7 days'
FROM (SELECT ST_PointOnSurface(geom) AS p FROM grid_current WHERE code = %(grid)s) g
RETURNING id"""


@pytest.fixture(scope="module")
def loop_db(city_template, server_url):
    yield from copy_database(city_template, server_url)


@pytest.fixture(scope="module")
def places(loop_db) -> dict:
    """Two basic grids of one township, one of another township, and their areas' codes."""
    with connect(loop_db) as conn:
        rows = conn.execute(
            """SELECT g.code, c.code, t.code FROM grid_current g JOIN admin_area c ON c.id = g.community_id
               JOIN admin_area t ON t.id = c.parent_id WHERE g.is_basic ORDER BY t.code, g.code"""
        ).fetchall()
    first_township = rows[0][2]
    here = [r for r in rows if r[2] == first_township]
    away = next(r for r in rows if r[2] != first_township)
    return {"grid": here[0][0], "other_grid": here[-1][0], "community": here[0][1], "township": first_township,
            "away_grid": away[0], "away_township": away[2]}  # fmt: skip


_made = iter(range(1, 100_000))


def make_case(url: str, grid: str, category: str = "dispute_neighbour", reported: str = "2026-11-20 10:00+08") -> int:
    """A new case reported in `grid` (at a point inside it), placed; returns its id."""
    with connect(url) as conn, conn.transaction():
        case_id = conn.execute(
            NEW_CASE, {"code": f"LOOP-{next(_made):05d}", "category": category, "reported": reported, "grid": grid}
        ).fetchone()[0]
        place_new(conn, [case_id])
    return case_id


class AppUser:
    """A user signed in as the dashboard's role; `move` and `read` act in a transaction that
    presents the session, as the dashboard's requests do."""

    def __init__(self, url: str, username: str, role: str, scope: str | None):
        self.url, self.username = url, username
        self.token = open_test_session(url, username, role, scope)

    def move(self, case_id: int, action: str, version: int, note: str = "", detail: dict | None = None) -> Moved:
        with psycopg.connect(app_database_url(self.url), autocommit=True) as conn, conn.transaction():
            use_session(conn, self.token)
            return move(conn, case_id, action, version, note, detail)

    def execute(self, sql: str, params=None) -> list:
        with psycopg.connect(app_database_url(self.url), autocommit=True) as conn, conn.transaction():
            use_session(conn, self.token)
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def users(loop_db, places) -> dict:
    return {
        "dispatcher": AppUser(loop_db, "loop_dispatcher", "dispatcher", places["township"]),
        "worker": AppUser(loop_db, "loop_worker", "grid_worker", places["grid"]),
        "other_worker": AppUser(loop_db, "loop_worker2", "grid_worker", places["other_grid"]),
        "leader": AppUser(loop_db, "loop_leader", "leader", places["township"]),
        "away_dispatcher": AppUser(loop_db, "loop_away", "dispatcher", places["away_township"]),
    }
