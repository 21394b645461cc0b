"""The map's search on the small demo city: exact codes, parts of names, addresses typed the
way clerks type them (through the geocoder), and text that means something to LIKE."""

import pytest

from geo.db.connection import connect
from geo.map.search import search

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def conn(demo_db):
    with connect(demo_db, autocommit=True) as connection:
        yield connection


def test_codes_names_and_cases_are_found(conn):
    grid_code, grid_name = conn.execute(
        "SELECT code, name FROM grid_current WHERE is_basic ORDER BY code LIMIT 1"
    ).fetchone()
    assert search(conn, f"  {grid_code} ", cases=False)[0].code == grid_code
    by_name = search(conn, grid_name, cases=False)
    assert (by_name[0].kind, by_name[0].code) == ("grid", grid_code)
    case_code, building = conn.execute(
        "SELECT c.code, b.code FROM cases c JOIN case_assignment a ON a.case_id = c.id "
        "JOIN building b ON b.id = a.building_id ORDER BY c.id LIMIT 1"
    ).fetchone()
    assert [(f.kind, f.code) for f in search(conn, case_code, cases=True)] == [("case", building)]
    assert search(conn, case_code, cases=False) == []  # a role that sees no single case


def test_an_address_typed_with_full_width_digits_finds_its_building(conn):
    code, address = conn.execute(
        "SELECT code, standard_address FROM building WHERE standard_address ~ '[0-9]+号' ORDER BY code LIMIT 1"
    ).fetchone()
    typed = address.translate(FULL_WIDTH)
    assert typed != address
    found = search(conn, typed, cases=False)
    assert [(f.kind, f.code) for f in found] == [("address", code)]


@pytest.mark.parametrize("text", ["%", "_", "\\", "%%%", "' OR 1=1 --", "x" * 500])
def test_like_wildcards_and_hostile_text_find_nothing(conn, text):
    assert search(conn, text, cases=True) == []


def test_finds_are_limited_to_the_jurisdictions_codes_before_each_kinds_limit(conn):
    from geo.auth.jurisdiction import find_jurisdiction

    township = conn.execute("SELECT code FROM admin_area WHERE level = 3 ORDER BY code LIMIT 1").fetchone()[0]
    held = find_jurisdiction(conn, township)
    everywhere = search(conn, "社区", cases=False)  # more than one kind's limit across the city
    inside = search(conn, "社区", cases=False, codes=sorted(held.codes))
    assert inside and all(f.code in held.codes for f in inside if f.kind in ("area", "grid"))
    assert {f.code for f in everywhere if f.kind == "area"} - held.codes  # the city's would crowd them out
