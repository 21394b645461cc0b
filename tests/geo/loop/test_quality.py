"""Closure quality against figures counted by hand on cases made for it: at one building of a
grid, in a month of their own (January 2027, after the demo's year), with known closing
times, call-backs, a reopening, a merged duplicate and later reports."""

import datetime as dt

import pytest

from geo.db.connection import connect
from geo.loop.quality import closure_quality

AT_BUILDING = """INSERT INTO cases (code, source, category_code, summary, reported_at, geom, raw_lon, raw_lat, raw_crs,
                   status, deadline, closed_at, called_back_at, satisfied, reopened, assignee_kind, assignee)
SELECT %(code)s, 'hotline_12345', %(category)s, '质量测试', %(reported)s, p, ST_X(p), ST_Y(p), 'wgs84',
       CASE WHEN %(closed)s::timestamptz IS NULL THEN 'in_progress' ELSE 'closed' END,
       %(reported)s::timestamptz + interval '7 days', %(closed)s, %(called)s, %(satisfied)s, %(reopened)s,
       %(kind)s, %(handler)s
FROM (SELECT ST_PointOnSurface(footprint) AS p FROM building WHERE id = %(building)s) b
RETURNING id"""
PLACE = "SELECT count(*) FROM case_assignment WHERE case_id = ANY(%s) AND building_id = %s"


@pytest.fixture(scope="module")
def scenario(loop_db, places):
    """The grid's id and the ids of c1…c5 (see the cases below)."""
    from geo.geocode.bulk import place_new

    with connect(loop_db) as conn, conn.transaction():
        grid_id, building = conn.execute(
            """SELECT g.id, a.building_id FROM grid_current g JOIN building_assignment a ON a.grid_id = g.id
               WHERE g.code = %s ORDER BY a.building_id LIMIT 1""",
            [places["other_grid"]],
        ).fetchone()

        def case(code, reported, closed=None, called=None, satisfied=None, reopened=0, handler=None,
                 category="dispute_neighbour"):  # fmt: skip
            params = {"code": code, "category": category, "reported": reported, "closed": closed, "called": called,
                      "satisfied": satisfied, "reopened": reopened, "building": building,
                      "kind": "department" if handler else None, "handler": handler}  # fmt: skip
            return conn.execute(AT_BUILDING, params).fetchone()[0]

        ids = [
            # c1: 2 days, on time, satisfied; handled by the housing bureau
            case("Q1", "2027-01-02 09:00+08", "2027-01-04 09:00+08", "2027-01-05 10:00+08", True, handler="housing"),
            # c2: 17 days (late), not satisfied, reopened once
            case("Q2", "2027-01-03 09:00+08", "2027-01-20 09:00+08", "2027-01-21 10:00+08", False, reopened=1),
            # c3: reported again after c1's close: c1's repeat; 2 days, on time, not called back
            case("Q3", "2027-01-10 09:00+08", "2027-01-12 09:00+08"),
            # c4: a later report of another category: nobody's repeat; open
            case("Q4", "2027-02-15 09:00+08", category="hazard_fire"),
            # c5: a duplicate merged into c1, closed in the period: left out
            case("Q5", "2027-01-03 10:00+08", "2027-01-05 09:00+08"),
        ]
        conn.execute("UPDATE cases SET merged_into = %s WHERE id = %s", [ids[0], ids[4]])
        place_new(conn, ids)
        assert conn.execute(PLACE, [ids, building]).fetchone()[0] == 5
    return grid_id, ids


def test_the_figures_are_those_counted_by_hand(loop_db, scenario):
    grid_id, _ids = scenario
    with connect(loop_db) as conn:
        total, handlers = closure_quality(conn, [grid_id], dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    assert (total.closed, total.on_time, total.reopened, total.called_back, total.satisfied) == (3, 2, 1, 2, 1)
    assert total.median_days == pytest.approx(2.0)
    assert (total.repeat_reports, total.not_solved) == (1, 1)  # c3 after c1; c4 is of another category
    by_handler = {q.handler: (q.closed, q.on_time, q.not_solved) for q in handlers}
    assert by_handler == {"grid": (2, 1, 0), "housing": (1, 1, 1)}


def test_a_period_with_no_closing_has_no_figures(loop_db, scenario):
    grid_id, _ids = scenario
    with connect(loop_db) as conn:
        total, handlers = closure_quality(conn, [grid_id], dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    assert total.closed == 0 and total.share("on_time") is None and handlers == []
