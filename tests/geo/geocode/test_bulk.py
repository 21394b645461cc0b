"""Bulk placement of the demo city's cases: complete, right, and idempotent."""

import pytest

from geo.geocode.bulk import assign_pending, reassign

CHECKSUM = "SELECT md5(string_agg(a::text, '|' ORDER BY case_id)) FROM case_assignment a"


def scalar(conn, query, params=None):
    return conn.execute(query, params).fetchone()[0]


def test_every_case_has_one_placement_after_the_demo_load(demo_conn):
    missing = scalar(
        demo_conn,
        "SELECT count(*) FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id WHERE a.case_id IS NULL",
    )
    assert missing == 0
    assert assign_pending(demo_conn)["written"] == 0


def test_points_lie_in_their_grid_and_micro_grid_and_the_building_nests(demo_conn):
    wrong_grid = scalar(
        demo_conn,
        "SELECT count(*) FROM case_located a JOIN grid g ON g.id = a.grid_id WHERE NOT ST_Covers(g.geom, a.placed_point)",
    )
    wrong_micro = scalar(
        demo_conn,
        "SELECT count(*) FROM case_located a JOIN micro_grid m ON m.id = a.micro_grid_id JOIN grid g ON g.id = a.grid_id "
        "WHERE NOT ST_Covers(m.geom, a.placed_point) OR m.grid_code <> g.code",
    )
    far_building = scalar(
        demo_conn,
        "SELECT count(*) FROM case_located a JOIN building b ON b.id = a.building_id "
        "WHERE ST_Distance(b.footprint::geography, a.placed_point::geography) > 30.5",
    )
    assert (wrong_grid, wrong_micro, far_building) == (0, 0, 0)


def test_placements_agree_with_the_demo_truth(demo_conn):
    grid_right, located = demo_conn.execute(
        "SELECT avg((g.code = t.grid_code)::int), count(*) FROM case_assignment a "
        "JOIN demo_truth.case_location t USING (case_id) JOIN grid g ON g.id = a.grid_id WHERE a.method = 'coordinates'"
    ).fetchone()
    address = demo_conn.execute(
        "SELECT count(*) FILTER (WHERE a.building_id = t.address_building_id), "
        "count(*) FILTER (WHERE a.building_id <> t.address_building_id), count(*) "
        "FROM case_assignment a JOIN demo_truth.case_location t USING (case_id) JOIN cases c ON c.id = a.case_id "
        "WHERE c.geom IS NULL AND t.address_matchable"
    ).fetchone()
    unmatchable_guessed = scalar(
        demo_conn,
        "SELECT count(*) FROM case_assignment a JOIN demo_truth.case_location t USING (case_id) JOIN cases c ON c.id = a.case_id "
        "WHERE c.geom IS NULL AND NOT t.address_matchable AND a.status <> 'review'",
    )
    assert located > 1000 and grid_right == 1
    right, wrong, total = address
    assert right >= 0.98 * total and wrong <= 0.01 * total
    assert unmatchable_guessed == 0


def test_recomputing_everything_writes_nothing(demo_conn):
    before = scalar(demo_conn, CHECKSUM)
    summary = reassign(demo_conn)
    assert summary["written"] == 0 and summary["records"] > 1000
    assert scalar(demo_conn, CHECKSUM) == before


def test_a_merged_grid_reassigns_only_the_cases_inside_it(demo_conn):
    kept, retired = demo_conn.execute(
        "SELECT a.id, b.id FROM grid_current a JOIN grid_current b ON a.community_id = b.community_id "
        "AND a.parent_code IS NOT DISTINCT FROM b.parent_code AND a.id < b.id "
        "WHERE a.is_basic AND b.is_basic AND a.kind = 'regular' AND b.kind = 'regular' AND ST_Touches(a.geom, b.geom) "
        "ORDER BY a.id LIMIT 1"
    ).fetchone()
    inside = scalar(demo_conn, "SELECT count(*) FROM case_assignment WHERE grid_id = %s", [retired])
    area = scalar(demo_conn, "SELECT ST_AsText(geom) FROM grid WHERE id = %s", [retired])
    demo_conn.execute(
        "UPDATE grid SET geom = ST_Multi(ST_Union(geom, (SELECT geom FROM grid WHERE id = %(b)s))) WHERE id = %(a)s",
        {"a": kept, "b": retired},
    )
    demo_conn.execute("UPDATE grid SET valid_to = now() WHERE id = %s", [retired])
    untouched_before = scalar(
        demo_conn, CHECKSUM.replace("case_assignment a", "case_assignment a WHERE grid_id <> %s"), [retired]
    )
    summary = reassign(demo_conn, area)
    assert inside > 0 and summary["written"] >= inside
    assert scalar(demo_conn, "SELECT count(*) FROM case_assignment WHERE grid_id = %s", [retired]) == 0
    untouched_after = scalar(
        demo_conn,
        CHECKSUM.replace("case_assignment a", "case_assignment a WHERE grid_id <> %s AND grid_id <> %s"),
        [retired, kept],
    )
    untouched_before_excl = scalar(
        demo_conn,
        CHECKSUM.replace("case_assignment a", "case_assignment a WHERE grid_id <> %s AND grid_id <> %s"),
        [retired, kept],
    )
    assert untouched_before and untouched_after == untouched_before_excl


@pytest.mark.parametrize(
    ("geom", "raw", "address"),
    [
        ("wgs84", None, None),
        (None, "gcj02", None),
        (None, "bd09", None),
        (None, "cgcs2000", None),
        (None, None, "standard"),
    ],
)
def test_new_cases_in_any_form_are_placed_on_the_same_building(demo_conn, geom, raw, address):
    from geo.shared.crs import from_wgs84

    building, standard, x, y = demo_conn.execute(
        "SELECT id, standard_address, ST_X(p), ST_Y(p) FROM building, ST_PointOnSurface(footprint) p ORDER BY id LIMIT 1 OFFSET 7"
    ).fetchone()
    raw_lon, raw_lat = (None, None)
    if raw:
        lon, lat = from_wgs84([x], [y], raw)
        raw_lon, raw_lat = float(lon[0]), float(lat[0])
    demo_conn.execute(
        "INSERT INTO cases (code, source, category_code, summary, reported_at, geom, raw_lon, raw_lat, raw_crs, "
        "address_text, status, deadline) VALUES ('NEW1', 'online', 'service_request', '路灯损坏', now(), "
        "CASE WHEN %(geom)s THEN ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4326) END, %(raw_lon)s, %(raw_lat)s, %(raw)s, "
        "%(address)s, 'accepted', now() + interval '3 days')",
        {
            "geom": geom is not None,
            "x": x,
            "y": y,
            "raw_lon": raw_lon,
            "raw_lat": raw_lat,
            "raw": raw,
            "address": standard if address else None,
        },
    )
    assert assign_pending(demo_conn)["written"] == 1
    placed = demo_conn.execute(
        "SELECT a.building_id, a.method FROM case_assignment a JOIN cases c ON c.id = a.case_id WHERE c.code = 'NEW1'"
    ).fetchone()
    assert placed == (building, "address" if address else "coordinates")


def test_every_building_and_key_person_has_the_grid_its_building_lies_in(demo_conn):
    unplaced = scalar(
        demo_conn,
        "SELECT count(*) FROM building b LEFT JOIN building_assignment a ON a.building_id = b.id "
        "WHERE a.grid_id IS NULL",
    )
    wrong = scalar(
        demo_conn,
        "SELECT count(*) FROM building b JOIN building_assignment a ON a.building_id = b.id "
        "JOIN grid g ON g.id = a.grid_id JOIN micro_grid m ON m.id = a.micro_grid_id "
        "WHERE NOT ST_Covers(g.geom, ST_PointOnSurface(b.footprint)) OR m.grid_code <> g.code",
    )
    persons_without_grid = scalar(demo_conn, "SELECT count(*) FROM sensitive.key_person_located WHERE grid_id IS NULL")
    assert (unplaced, wrong, persons_without_grid) == (0, 0, 0)
    assert reassign(demo_conn)["buildings_written"] == 0


def test_a_deleted_building_sends_its_cases_back_to_pending(demo_conn):
    building, cases = demo_conn.execute(
        "SELECT building_id, count(*) FROM case_assignment WHERE method = 'address' "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    ).fetchone()
    demo_conn.execute(
        "DELETE FROM demo_truth.case_location WHERE building_id = %s OR address_building_id = %s", [building, building]
    )
    demo_conn.execute("DELETE FROM sensitive.key_person WHERE building_id = %s", [building])
    demo_conn.execute("UPDATE key_place SET building_id = NULL WHERE building_id = %s", [building])
    demo_conn.execute("DELETE FROM building_unit WHERE building_id = %s", [building])
    demo_conn.execute("DELETE FROM building WHERE id = %s", [building])
    summary = assign_pending(demo_conn)
    assert summary["written"] >= cases
    assert scalar(demo_conn, "SELECT count(*) FROM case_assignment WHERE building_id = %s", [building]) == 0
