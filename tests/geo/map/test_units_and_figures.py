"""The map's units, shapes and case figures against plain queries written independently."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from geo.db.connection import connect, load_query
from geo.db.frames import query_frame
from geo.map import areas, cases, compare
from geo.map.filters import CaseFilter
from geo.map.scope import scope_params
from geo.shared.units import Unit, children_codes, children_geojson, find_unit, root_unit, unit_path

AS_OF = dt.date(2026, 11, 24)
YEAR = CaseFilter(AS_OF - dt.timedelta(days=364), AS_OF)

# Cases in the range placed in a basic grid whose community lies under the area, found by
# walking admin_area's parent links four times: no use of the map's path views.
CASES_UNDER_AREA = """
SELECT count(*) FROM cases c
JOIN case_assignment a ON a.case_id = c.id
JOIN grid g ON g.id = a.grid_id AND g.valid_to IS NULL AND g.is_basic
JOIN admin_area a4 ON a4.id = g.community_id
LEFT JOIN admin_area a3 ON a3.id = a4.parent_id
LEFT JOIN admin_area a2 ON a2.id = a3.parent_id
LEFT JOIN admin_area a1 ON a1.id = a2.parent_id
WHERE %(code)s IN (a4.code, a3.code, a2.code, a1.code)
  AND c.reported_at >= %(start)s AND c.reported_at < %(end)s
"""


@pytest.fixture(scope="module")
def conn(scored_demo_db):
    with connect(scored_demo_db, autocommit=True) as connection:
        yield connection


def expected_cases(conn, code, case_filter=YEAR):
    params = {"code": code, "start": case_filter.start, "end": case_filter.end + dt.timedelta(days=1)}
    return conn.execute(CASES_UNDER_AREA, params).fetchone()[0]


def drill(conn, kinds=("county", "township", "community", "grid", "micro_grid", "building")):
    """Walk down from the root, each time into the child with the most cases of the year."""
    unit = root_unit(conn)
    path = [unit]
    for kind in kinds:
        counts = cases.child_case_counts(conn, unit, YEAR, AS_OF)
        code = max(children_codes(conn, unit), key=lambda c: counts.get(c, {}).get("cases", 0))
        unit = find_unit(conn, code)
        assert unit.kind == kind
        path.append(unit)
    return path


def test_the_root_is_the_city_and_its_children_are_its_counties(conn):
    root = root_unit(conn)
    assert root.kind == "city" and root.parent_code is None
    counties = {code for (code,) in conn.execute("SELECT code FROM admin_area WHERE level = 2")}
    shapes = children_geojson(conn, root)
    assert {f["properties"]["code"] for f in shapes["features"]} == counties
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in shapes["features"])


def test_drilling_reaches_a_building_and_the_path_leads_back_to_the_city(conn):
    path = drill(conn)
    building = path[-1]
    assert [u.code for u in unit_path(conn, building)] == [u.code for u in path]
    # Each level's children are the next level's units: grids below a community, micro-grids
    # below a grid, buildings below a micro-grid, and a building's neighbours beside it.
    community, grid, micro_grid = path[3], path[4], path[5]
    grids = {
        c
        for (c,) in conn.execute(
            "SELECT g.code FROM grid_current g JOIN admin_area a ON a.id = g.community_id WHERE a.code = %s AND g.is_basic",
            [community.code],
        )
    }
    assert set(children_codes(conn, community)) == grids
    assert all(code.startswith(grid.code) for code in children_codes(conn, grid))
    assert building.code in children_codes(conn, micro_grid)
    assert children_codes(conn, building) == children_codes(conn, micro_grid)


def test_case_counts_per_child_add_up_to_the_unit_and_match_a_plain_query(conn):
    for unit in drill(conn, ("county", "township", "community")):
        counts = cases.child_case_counts(conn, unit, YEAR, AS_OF)
        figures = cases.key_figures(conn, unit, YEAR, AS_OF)
        assert sum(c["cases"] for c in counts.values()) == figures["cases"] == expected_cases(conn, unit.code)
        assert figures["cases"] > 0
        assert set(counts) <= set(children_codes(conn, unit))


def test_a_grids_figures_split_over_its_micro_grids(conn):
    grid = drill(conn, ("county", "township", "community", "grid"))[-1]
    counts = cases.child_case_counts(conn, grid, YEAR, AS_OF)
    placed = conn.execute(
        """SELECT count(*) FROM cases c JOIN case_assignment a ON a.case_id = c.id
           JOIN grid_current g ON g.id = a.grid_id WHERE g.code = %s AND a.micro_grid_id IS NOT NULL
           AND c.reported_at >= %s""",
        [grid.code, YEAR.start],
    ).fetchone()[0]
    assert sum(c["cases"] for c in counts.values()) == placed > 0


def test_filters_narrow_the_counts_as_a_plain_count_does(conn):
    city = root_unit(conn)
    category, source = conn.execute(
        "SELECT category_code, source FROM cases GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    narrowed = CaseFilter(YEAR.start, YEAR.end, categories=(category,), sources=(source,), states=("closed",))
    expected = conn.execute(
        """SELECT count(*) FROM cases c JOIN case_assignment a ON a.case_id = c.id AND a.grid_id IS NOT NULL
           WHERE c.category_code = %s AND c.source = %s AND c.status = 'closed' AND c.reported_at >= %s""",
        [category, source, YEAR.start],
    ).fetchone()[0]
    figures = cases.key_figures(conn, city, narrowed, AS_OF)
    assert figures["cases"] == expected > 0
    assert figures["open"] == 0 and figures["close_rate"] == 1
    mix = cases.category_mix(conn, city, narrowed, AS_OF)
    assert mix.to_dict("records") == [{"category": category, "cases": expected}]


def test_trend_counts_each_day_once_and_weeks_for_long_ranges(conn):
    city = root_unit(conn)
    month = CaseFilter(AS_OF - dt.timedelta(days=29), AS_OF)
    daily = cases.trend(conn, city, month, AS_OF)
    assert daily["period"].is_unique and len(daily) <= 30
    assert daily["cases"].sum() == cases.key_figures(conn, city, month, AS_OF)["cases"]
    weekly = cases.trend(conn, city, YEAR, AS_OF)
    assert len(weekly) <= 54 and weekly["cases"].sum() == expected_cases(conn, city.code)


def test_case_points_and_table_start_at_the_grid_and_hold_its_cases(conn):
    grid = drill(conn, ("county", "township", "community", "grid"))[-1]
    table = cases.case_table(conn, grid, YEAR, AS_OF)
    points = cases.case_points(conn, grid, YEAR, AS_OF)
    total = cases.key_figures(conn, grid, YEAR, AS_OF)["cases"]
    assert len(table) == min(total, cases.TABLE_LIMIT)
    assert len(points["features"]) <= total
    assert table["reported_at"].is_monotonic_decreasing


def test_unknown_codes_find_nothing(conn):
    for code in ("999999", "'; DROP TABLE cases; --", "4118" * 10, "<script>"):
        assert find_unit(conn, code) is None
    assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] > 0


def test_top_grids_are_the_highest_relative_risks_of_the_unit(conn):
    county = drill(conn, ("county",))[-1]
    top = areas.top_grids(conn, county)
    risks = [g["relative_risk"] for g in top]
    assert len(top) == areas.TOP_GRIDS and risks == sorted(risks, reverse=True)
    highest = conn.execute(
        """SELECT max(r.relative_risk) FROM risk_score r WHERE r.kind = 'grid' AND r.county_code = %s
           AND r.as_of = (SELECT max(as_of) FROM risk_score)""",
        [county.code],
    ).fetchone()[0]
    assert risks[0] == pytest.approx(highest)
    # The point of ranking on the relative risk: where the 0-100 score saturates (shown to one
    # decimal, the top reads 100.0, 100.0, 99.9...), the multiples shown still tell grids apart.
    shown_scores = {f"{g['score']:.1f}" for g in top}
    shown_risks = {f"{g['relative_risk']:.1f}" for g in top}
    assert len(shown_risks) >= len(shown_scores)
    assert all(g["risk_low"] <= g["relative_risk"] <= g["risk_high"] for g in top)
    assert areas.top_grids(conn, drill(conn, ("county", "township", "community", "grid"))[-1]) == []


def test_top_grids_above_several_cities_are_those_of_their_grids(conn):
    """Above several top-level areas (a province's ten cities) the grids are read in score
    order, not by the list of every grid: the same grids as that list gives."""
    everything = Unit("all", None, "全部", None, 0, 0, 0, 0)
    by_list = query_frame(
        conn, load_query("map/top_grids"), {**scope_params(conn, root_unit(conn)), "limit": areas.TOP_GRIDS}
    ).to_dict("records")
    assert len(by_list) == areas.TOP_GRIDS
    assert areas.top_grids(conn, everything) == by_list


def _plain_count(conn, code: str, start: dt.date, end: dt.date) -> int:
    """Cases under the area reported from `start` to `end` (whole days, Asia/Shanghai)."""
    zone = ZoneInfo("Asia/Shanghai")
    bounds = {
        "start": dt.datetime.combine(start, dt.time(), zone),
        "end": dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone),
    }
    return conn.execute(CASES_UNDER_AREA, {"code": code, **bounds}).fetchone()[0]


def test_key_figures_are_compared_with_the_period_before_and_a_year_before(conn):
    county = drill(conn, ("county",))[-1]
    month = CaseFilter(AS_OF - dt.timedelta(days=29), AS_OF)
    figures = cases.key_figures(conn, county, month, AS_OF)
    changes = compare.changes(conn, county, month, AS_OF, figures)
    before = _plain_count(conn, county.code, month.start - dt.timedelta(days=30), month.end - dt.timedelta(days=30))
    assert figures["cases"] == _plain_count(conn, county.code, month.start, month.end)
    assert changes["cases"][0] == pytest.approx((figures["cases"] - before) / before)
    week_before = _plain_count(conn, county.code, AS_OF - dt.timedelta(days=13), AS_OF - dt.timedelta(days=7))
    assert changes["week"][0] == pytest.approx((figures["week"] - week_before) / week_before)
    year_ago = _plain_count(conn, county.code, month.start - compare.A_YEAR, month.end - compare.A_YEAR)
    assert changes["cases"][1] == (pytest.approx((figures["cases"] - year_ago) / year_ago) if year_ago else None)
    # A one-day range (the "today" figure clicked): today against that weekday a week before only.
    day = CaseFilter(AS_OF - dt.timedelta(days=1), AS_OF - dt.timedelta(days=1))
    one = cases.key_figures(conn, county, day, AS_OF - dt.timedelta(days=1))
    same_day = _plain_count(conn, county.code, day.start - dt.timedelta(days=7), day.start - dt.timedelta(days=7))
    expected = (one["today"] - same_day) / same_day if same_day else None
    assert compare.changes(conn, county, day, day.start, one)["today"][0] == pytest.approx(expected)
