"""Key-person records of a grid, micro-grid and building on the small demo city: exactly the
active persons of the unit (checked against direct SQL), cut at the limit, none for an area;
and read as the dashboard's role, only those of the reader's jurisdiction."""

import psycopg
import pytest

from geo.auth.sessions import use_session
from geo.db.connection import app_database_url, connect
from geo.map.key_person_records import MAX_RECORDS, has_records, key_person_records
from geo.shared.units import find_unit
from tests.geo.auth.conftest import open_test_session

ACTIVE_IN_GRID = """SELECT k.pseudonym FROM sensitive.key_person k
JOIN building_assignment a ON a.building_id = k.building_id
JOIN grid_current g ON g.id = a.grid_id WHERE g.code = %s AND k.active"""
ACTIVE_IN_BUILDING = """SELECT k.pseudonym FROM sensitive.key_person k
JOIN building b ON b.id = k.building_id WHERE b.code = %s AND k.active"""
ACTIVE_IN_MICRO_GRID = """SELECT k.pseudonym FROM sensitive.key_person k
JOIN building_assignment a ON a.building_id = k.building_id
JOIN micro_grid_current m ON m.id = a.micro_grid_id WHERE m.code = %s AND k.active"""
# Per basic grid: its township and its active key persons, busiest first.
GRIDS = """SELECT g.code, t.code AS township, count(k.id) AS persons
FROM grid_current g JOIN admin_area c ON c.id = g.community_id JOIN admin_area t ON t.id = c.parent_id
JOIN building_assignment a ON a.grid_id = g.id
LEFT JOIN sensitive.key_person k ON k.building_id = a.building_id AND k.active
WHERE g.is_basic AND t.level = 3 GROUP BY 1, 2 ORDER BY 3 DESC, 1"""
BUSIEST = """SELECT {unit}, count(*) FROM sensitive.key_person k
JOIN building_assignment a ON a.building_id = k.building_id
JOIN building b ON b.id = k.building_id JOIN micro_grid_current m ON m.id = a.micro_grid_id
WHERE k.active GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"""


@pytest.fixture
def conn(city_db):
    with connect(city_db) as connection:
        yield connection


def pseudonyms(conn, query: str, code: str) -> list[str]:
    return sorted(p for (p,) in conn.execute(query, [code]))


def busiest_grids(conn) -> dict[str, tuple[str, int]]:
    """{township: (its busiest grid, its persons)} for every township with a grid."""
    busiest = {}
    for code, township, persons in conn.execute(GRIDS):
        busiest.setdefault(township, (code, persons))
    return busiest


def test_a_grid_gives_exactly_its_active_persons(conn):
    grid_code, persons = next(iter(busiest_grids(conn).values()))
    conn.execute(
        """UPDATE sensitive.key_person SET active = false WHERE id = (SELECT min(k.id) FROM sensitive.key_person k
        JOIN building_assignment a ON a.building_id = k.building_id JOIN grid_current g ON g.id = a.grid_id
        WHERE g.code = %s)""",
        [grid_code],
    )
    expected = pseudonyms(conn, ACTIVE_IN_GRID, grid_code)
    assert len(expected) == persons - 1 > 0

    found = key_person_records(conn, find_unit(conn, grid_code))

    assert sorted(found.pseudonyms) == expected
    assert found.total == len(expected) and not found.truncated
    first = found.records[0]
    assert first.category_zh and first.category_en and first.care_level in ("high", "medium", "low")
    assert first.building_code and first.standard_address
    expected_order = sorted(found.records, key=lambda r: (r.building_code, r.unit_no or 0, r.pseudonym))
    assert list(found.records) == expected_order


def test_a_micro_grid_and_a_building_give_their_active_persons(conn):
    for unit_column, query in (("m.code", ACTIVE_IN_MICRO_GRID), ("b.code", ACTIVE_IN_BUILDING)):
        code, count = conn.execute(BUSIEST.format(unit=unit_column)).fetchone()
        unit = find_unit(conn, code)
        assert has_records(unit)
        found = key_person_records(conn, unit)
        assert sorted(found.pseudonyms) == pseudonyms(conn, query, code)
        assert found.total == count == len(found.records)


def test_a_long_list_is_cut_and_says_so(conn):
    grid_code, persons = next(iter(busiest_grids(conn).values()))
    found = key_person_records(conn, find_unit(conn, grid_code), limit=3)
    assert len(found.records) == 3
    assert found.total == persons > 3
    assert found.truncated
    with pytest.raises(ValueError, match="limit"):
        key_person_records(conn, find_unit(conn, grid_code), limit=MAX_RECORDS + 1)


def test_an_area_has_no_records(conn):
    township = next(iter(busiest_grids(conn)))
    unit = find_unit(conn, township)
    assert not has_records(unit)
    with pytest.raises(ValueError, match="grid"):
        key_person_records(conn, unit)


def test_the_app_role_reads_only_its_jurisdictions_persons(conn, city_db):
    (home, (home_grid, home_persons)), (other, (other_grid, other_persons)) = list(busiest_grids(conn).items())[:2]
    assert home_persons > 0 and other_persons > 0
    home_unit, other_unit = find_unit(conn, home_grid), find_unit(conn, other_grid)
    expected = pseudonyms(conn, ACTIVE_IN_GRID, home_grid)

    officer = open_test_session(city_db, "kpr_officer", "key_person_officer", home)
    # Straight to psycopg: geo.db.connection.connect would give the session the scope 'all'.
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app_conn:
        assert app_conn.execute("SELECT current_user").fetchone()[0] == "safety_map_app"
        with app_conn.transaction():
            use_session(app_conn, officer)
            assert sorted(key_person_records(app_conn, home_unit).pseudonyms) == expected
            assert key_person_records(app_conn, other_unit).records == ()
        with app_conn.transaction():
            assert key_person_records(app_conn, home_unit).records == ()  # no scope: nothing
        with app_conn.transaction():
            use_session(app_conn, None)  # nobody signed in: nothing either
            assert key_person_records(app_conn, home_unit).records == ()
