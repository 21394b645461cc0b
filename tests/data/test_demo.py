"""Invariants of the generated demo city, checked in the database it was loaded into."""

import dataclasses
import datetime as dt
import hashlib

import pytest
import shapely

from data.demo.generate import generate_city
from data.demo.scales import SMALL
from geo.boundaries.topology import check_topology
from geo.errors import UserError
from tests.conftest import DEMO_AS_OF, DEMO_SEED


def scalar(conn, query, params=None):
    return conn.execute(query, params).fetchone()[0]


def test_counts_are_near_the_scale_targets(demo_conn):
    counts = dict(demo_conn.execute("SELECT level, count(*) FROM admin_area GROUP BY level ORDER BY level").fetchall())
    assert counts[1] == 1
    assert counts[2] == SMALL.urban_districts + SMALL.rural_counties
    assert counts[3] >= SMALL.urban_districts * SMALL.townships_per_urban_district
    basic = scalar(demo_conn, "SELECT count(*) FROM grid_current WHERE is_basic")
    cells = SMALL.urban_cells + SMALL.rural_cells
    assert 0.7 * cells / SMALL.cells_per_grid <= basic <= 1.3 * cells / SMALL.cells_per_grid
    assert scalar(demo_conn, "SELECT count(*) FROM grid_current WHERE kind = 'exclusive'") == SMALL.exclusive_grids
    assert 0.8 * SMALL.cases <= scalar(demo_conn, "SELECT count(*) FROM cases") <= 1.2 * SMALL.cases
    assert scalar(demo_conn, "SELECT count(*) FROM sensitive.key_person") == SMALL.key_persons
    assert scalar(demo_conn, "SELECT count(*) FROM key_place") == SMALL.key_places
    assert scalar(demo_conn, "SELECT count(*) FROM camera") == SMALL.cameras
    for level in (1, 2, 3, 4):
        assert scalar(demo_conn, "SELECT count(*) FROM centre WHERE level = %s", [level]) == counts[level]


def test_topology_has_no_gap_overlap_or_escape(demo_conn):
    report = check_topology(demo_conn)
    assert report["problems"] == 0, report


def test_every_building_lies_inside_its_micro_grid(demo_conn):
    outside = scalar(
        demo_conn,
        """
        SELECT count(*) FROM building b JOIN micro_grid_current m ON m.code = b.micro_grid_code
        WHERE NOT ST_Within(b.footprint, m.geom)""",
    )
    orphans = scalar(
        demo_conn,
        """
        SELECT count(*) FROM building b LEFT JOIN micro_grid_current m ON m.code = b.micro_grid_code
        WHERE m.id IS NULL""",
    )
    assert (outside, orphans) == (0, 0)


def test_household_ranges_urban_200_300_rural_at_most_150(demo_conn):
    rows = demo_conn.execute("""
        SELECT a.is_urban, min(g.households), max(g.households), count(*)
        FROM grid_current g JOIN admin_area a ON a.id = g.community_id
        WHERE g.is_basic AND g.kind = 'regular' GROUP BY a.is_urban""").fetchall()
    ranges = {urban: (low, high) for urban, low, high, _ in rows}
    assert ranges[True][0] >= 200 and ranges[True][1] <= 300
    assert ranges[False][0] >= 1 and ranges[False][1] <= 150
    mismatched = scalar(
        demo_conn,
        """
        SELECT count(*) FROM grid_current g
        WHERE g.is_basic AND g.households <> (
            SELECT coalesce(sum(b.households), 0) FROM building b
            JOIN micro_grid_current m ON m.code = b.micro_grid_code WHERE m.grid_code = g.code)""",
    )
    assert mismatched == 0


def test_codes_extend_their_parents(demo_conn):
    bad_admin = scalar(
        demo_conn,
        """
        SELECT count(*) FROM admin_area c JOIN admin_area p ON p.id = c.parent_id
        WHERE c.level > 2 AND NOT starts_with(c.code, p.code)""",
    )
    bad_grid = scalar(
        demo_conn,
        """
        SELECT count(*) FROM grid_current g JOIN admin_area a ON a.id = g.community_id
        WHERE NOT starts_with(g.code, a.code)""",
    )
    bad_micro = scalar(demo_conn, "SELECT count(*) FROM micro_grid_current WHERE NOT starts_with(code, grid_code)")
    urban_levels = demo_conn.execute("""
        SELECT a.is_urban, max(g.level) FROM grid_current g JOIN admin_area a ON a.id = g.community_id
        GROUP BY a.is_urban""").fetchall()
    assert (bad_admin, bad_grid, bad_micro) == (0, 0, 0)
    assert dict(urban_levels) == {True: 3, False: 2}


def test_cases_look_like_a_real_year(demo_conn):
    first, last = demo_conn.execute(
        "SELECT min(reported_at AT TIME ZONE 'Asia/Shanghai')::date, max(reported_at AT TIME ZONE 'Asia/Shanghai')::date FROM cases"
    ).fetchone()
    assert (DEMO_AS_OF - first).days <= 365 and last <= DEMO_AS_OF
    shares = dict(
        demo_conn.execute("""
        SELECT coalesce(raw_crs, 'address'), count(*)::float / sum(count(*)) OVER () FROM cases GROUP BY 1""").fetchall()
    )
    assert shares["gcj02"] > 0.05 and shares["address"] > 0.2 and shares["wgs84"] > 0.3
    closed = scalar(demo_conn, "SELECT avg((status = 'closed')::int) FROM cases")
    overdue = scalar(demo_conn, "SELECT count(*) FROM cases WHERE status <> 'closed' AND deadline < %s", [DEMO_AS_OF])
    unmatchable = scalar(demo_conn, "SELECT avg((NOT address_matchable)::int) FROM demo_truth.case_location")
    assert 0.9 < closed < 1.0 and overdue > 0
    assert 0.01 < unmatchable < 0.03
    variants = {
        v
        for (v,) in demo_conn.execute(
            "SELECT DISTINCT unnest(string_to_array(address_variant, ',')) FROM demo_truth.case_location"
        )
    }
    assert {"no_city", "full_width", "building_word", "traditional"} <= variants


def test_located_cases_are_assigned_to_the_grid_that_covers_them(demo_conn):
    wrong = scalar(
        demo_conn,
        """
        SELECT count(*) FROM cases c JOIN case_assignment a ON a.case_id = c.id JOIN grid g ON g.id = a.grid_id
        WHERE a.method = 'coordinates' AND NOT ST_Covers(g.geom, c.geom)""",
    )
    unassigned = scalar(
        demo_conn,
        "SELECT count(*) FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id "
        "WHERE c.geom IS NOT NULL AND a.grid_id IS NULL",
    )
    assert (wrong, unassigned) == (0, 0)


def test_key_persons_carry_no_names_and_only_default_categories(demo_conn):
    columns = {
        c
        for (c,) in demo_conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'sensitive' AND table_name = 'key_person'"
        )
    }
    categories = {c for (c,) in demo_conn.execute("SELECT DISTINCT category_code FROM sensitive.key_person")}
    assert not columns & {"name", "full_name", "id_card", "phone"}
    assert categories <= {
        "community_correction",
        "released_person",
        "severe_mental",
        "drug_rehabilitation",
        "left_behind_child",
        "elderly_alone",
    }
    assert scalar(demo_conn, "SELECT count(*) FROM sensitive.key_person WHERE pseudonym !~ '^KP[0-9A-F]{14}$'") == 0


def _fingerprint(city) -> str:
    digest = hashlib.sha256()
    for geoms in (city.hierarchy.admin["geom"], city.hierarchy.grids["geom"], city.buildings["footprint"]):
        digest.update(b"".join(shapely.to_wkb(geoms.to_numpy())))
    digest.update(city.buildings["standard_address"].str.cat().encode())
    digest.update(city.cases[["reported_at", "category_code", "address_text"]].to_csv().encode())
    digest.update(city.key_persons.to_csv().encode())
    return digest.hexdigest()


@pytest.mark.slow
def test_same_seed_gives_the_same_city_and_another_seed_another():
    as_of = dt.date(2026, 11, 24)
    first = _fingerprint(generate_city(SMALL, DEMO_SEED, 0, as_of))
    again = _fingerprint(generate_city(SMALL, DEMO_SEED, 0, as_of))
    other = _fingerprint(generate_city(SMALL, DEMO_SEED + 1, 0, as_of))
    assert first == again
    assert first != other


def test_loading_twice_is_refused_and_leaves_the_city_as_it_was(demo_db):
    from data.demo import load_demo
    from geo.db.connection import connect

    with connect(demo_db) as conn:
        before = scalar(conn, "SELECT count(*) FROM building")
    with pytest.raises(UserError, match="already holds a city"):
        load_demo(demo_db, scale="small", seed=DEMO_SEED, as_of=DEMO_AS_OF)
    assert "nothing generated" in load_demo(demo_db, scale="small", seed=DEMO_SEED, as_of=DEMO_AS_OF, if_empty=True)
    with connect(demo_db) as conn:
        assert scalar(conn, "SELECT count(*) FROM building") == before


@pytest.mark.slow
def test_several_cities_load_side_by_side_like_a_province(fresh_database):
    """As a province is built: cities made in worker processes, loaded without the large
    tables' indexes, placed once at the end."""
    from data.demo import BULK_TABLES, generated_cities
    from data.demo.load import IdCounter, finish, load_city
    from geo.db.bulk_load import indexes_after
    from geo.db.connection import connect

    url, two_cities = fresh_database(), dataclasses.replace(SMALL, name="two", cities=2)
    with connect(url) as conn:
        version = scalar(conn, "INSERT INTO boundary_version (author, note) VALUES ('test', 'two cities') RETURNING id")
        ids = IdCounter(conn)
        with indexes_after(conn, BULK_TABLES):
            made = list(generated_cities(two_cities, DEMO_SEED, DEMO_AS_OF, progress=lambda step: None))
            for city in made:
                load_city(conn, city, ids, version)
        finish(conn)
        cities = scalar(conn, "SELECT count(*) FROM admin_area WHERE level = 1")
        overlapping = scalar(
            conn,
            """
            SELECT count(*) FROM admin_area a JOIN admin_area b ON a.id < b.id
            WHERE a.level = 1 AND b.level = 1 AND ST_Intersects(a.geom, b.geom)""",
        )
        report = check_topology(conn)
    assert (cities, overlapping) == (2, 0)
    assert report["problems"] == 0
    # A worker makes the city the caller would have made, in the run's order.
    second = generate_city(SMALL, DEMO_SEED, 1, DEMO_AS_OF)
    assert made[1].code == second.code
    assert (
        made[1]
        .cases.drop(columns=["geom"], errors="ignore")
        .equals(second.cases.drop(columns=["geom"], errors="ignore"))
    )


def test_generator_tables_mirror_the_lookup_tables_of_the_schema(demo_conn):
    from data.demo.cases import CATEGORY_MIX, DEADLINE_DAYS
    from data.demo.registry import KEY_PERSON_MIX

    deadlines = dict(
        demo_conn.execute("SELECT code, deadline_days FROM case_category WHERE NOT unclassified").fetchall()
    )
    person_categories = {c for (c,) in demo_conn.execute("SELECT code FROM sensitive.key_person_category")}
    assert deadlines == DEADLINE_DAYS
    assert set(CATEGORY_MIX) == set(deadlines)
    assert set(KEY_PERSON_MIX) == person_categories
