"""The wall's questions against plain queries, on copies of the small demo city: new cases
since a look, the longest-overdue cases, the grid that turned red most recently."""

import numpy as np
import pytest

from data.demo.simulate import draw_case, hot_buildings, insert_and_place
from geo.db.connection import connect
from geo.live import wall

PLAIN_OVERDUE = """
SELECT c.code FROM cases c JOIN case_assignment a ON a.case_id = c.id
WHERE c.status <> 'closed' AND c.deadline < now() AND a.grid_id IS NOT NULL
ORDER BY c.deadline, c.id LIMIT %s
"""


@pytest.fixture
def conn(city_db):
    with connect(city_db) as connection:
        yield connection


def insert_cases(conn, count: int, seed: int = 3) -> list[str]:
    rng = np.random.default_rng(seed)
    buildings = hot_buildings(conn, None)
    drawn = [draw_case(rng, buildings, f"LIVETEST{seed}{n:03d}") for n in range(count)]
    for case in drawn:
        insert_and_place(conn, case)
    return [case.code for case in drawn]


def test_new_cases_are_found_since_a_look_and_old_placements_are_not(conn):
    before = wall.db_now(conn)
    codes = insert_cases(conn, 3)
    conn.commit()
    fresh = wall.live_cases(conn, None, before)
    assert set(codes) <= set(fresh["code"])
    # A case placed long before the look is not new, though it is in the live window.
    conn.execute(
        "UPDATE case_assignment SET assigned_at = now() - interval '1 hour' WHERE case_id IN "
        "(SELECT id FROM cases WHERE code = %s)",
        [codes[0]],
    )
    conn.commit()
    assert codes[0] not in set(wall.live_cases(conn, None, wall.db_now(conn))["code"])
    assert codes[0] in set(wall.live_cases(conn, None)["code"])


def test_the_live_window_holds_only_placed_cases_of_the_last_day_in_scope(conn):
    codes = insert_cases(conn, 4, seed=4)
    conn.commit()
    window = wall.live_cases(conn, None)
    assert set(codes) <= set(window["code"])
    assert window["reported_at"].is_monotonic_decreasing
    grid_ids = [
        row[0]
        for row in conn.execute(
            "SELECT a.grid_id FROM case_assignment a JOIN cases c ON c.id = a.case_id WHERE c.code = %s", [codes[0]]
        )
    ]
    scoped = wall.live_cases(conn, grid_ids)
    assert codes[0] in set(scoped["code"])
    in_grid = conn.execute(
        "SELECT count(*) FROM case_assignment a JOIN cases c ON c.id = a.case_id "
        "WHERE a.grid_id = %s AND c.reported_at >= now() - interval '24 hours' "
        "AND c.reported_at <= now()",
        grid_ids,
    ).fetchone()[0]
    assert len(scoped) == in_grid


def test_overdue_cases_match_a_plain_query(conn):
    frame = wall.overdue_cases(conn, None, limit=8)
    expected = [code for (code,) in conn.execute(PLAIN_OVERDUE, [8])]
    assert list(frame["code"]) == expected and len(expected) > 0
    assert frame["deadline"].is_monotonic_increasing


# A grid's latest risk row, copied as the day before with the given level.
DAY_BEFORE = """
INSERT INTO risk_score SELECT (as_of - 1), code, kind, county_code, run_id, households, exposure, score, score_low,
    score_high, relative_risk, %s, components, facts, gi_z, gi_q, hotspot, emerging, trend_week, trend_month,
    explanation_zh, explanation_en, updated_at, risk_low, risk_high, risk_trend_week, risk_trend_month
FROM risk_score WHERE code = %s AND as_of = (SELECT max(as_of) FROM risk_score)
"""


def test_the_grid_that_turned_red_most_recently_is_chosen(scored_demo_db):
    with connect(scored_demo_db) as conn:
        red = conn.execute(
            "SELECT code FROM risk_score WHERE kind = 'grid' AND level = 'red' "
            "AND as_of = (SELECT max(as_of) FROM risk_score) ORDER BY relative_risk DESC LIMIT 3"
        ).fetchall()
        assert len(red) == 3, "the demo city needs three red grids"
        first, second, third = (code for (code,) in red)
        # Without an earlier snapshot no grid is seen to rise: the wall shows the highest red grid.
        highest = wall.turned_red(conn, None)
        assert highest["code"] == first and not highest["newly_red"]
        # `first` was red the day before as well; `third` was orange and was rescored last.
        conn.execute(DAY_BEFORE, ["red", first])
        conn.execute(DAY_BEFORE, ["orange", third])
        conn.execute("UPDATE risk_score SET updated_at = now() + interval '1 minute' WHERE code = %s", [second])
        turned = wall.turned_red(conn, None)
        assert turned["code"] == third and turned["newly_red"]  # not `second`: rescored last, but not seen to rise
        grid_id = conn.execute("SELECT id FROM grid_current WHERE code = %s", [first]).fetchone()[0]
        only_first = wall.turned_red(conn, [grid_id])
        assert only_first["code"] == first and not only_first["newly_red"]
        assert only_first["explanation_zh"]
        conn.rollback()
