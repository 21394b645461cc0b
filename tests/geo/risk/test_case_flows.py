"""The case components counted in memory (geo/risk/case_flows.py) on cases whose answers are
worked out by hand, and the full run's inputs read on two connections equal to one."""

import numpy as np
import pandas as pd
import pytest

from geo.db.connection import connect, export_snapshot
from geo.risk import partition
from geo.risk.case_flows import count_flows
from geo.risk.config import load_config
from tests.conftest import DEMO_AS_OF

DAY = 86400.0
NOW = 1_700_000_000.0  # the first moment, in epoch seconds
NAN = float("nan")


def case(grid, days_ago, *, closed_days_ago=NAN, deadline_days_ago=NAN, severity=1.0, escalation=0.0, building=NAN):
    return {
        "grid_id": grid,
        "building_id": building,
        "severity": severity,
        "escalation": escalation,
        "reported": NOW - days_ago * DAY,
        "closed": NOW - closed_days_ago * DAY,
        "deadline": NOW - deadline_days_ago * DAY,
    }


CASES = pd.DataFrame([
    case(10, 10, deadline_days_ago=1, severity=2.0, building=5),  # open and overdue
    case(10, 20, closed_days_ago=15, deadline_days_ago=-5, escalation=0.5, building=5),  # closed, escalated
    case(10, 40, closed_days_ago=39, building=5),  # a third case at building 5
    case(10, 100, building=6),  # open, no deadline, outside 30 and 90 days
    case(10, 400, closed_days_ago=399),  # older than the window and closed: nothing
    case(10, 400),  # older than the window but still open
    case(10, -1, building=5),  # reported after the first moment
    case(99, 1, building=7),  # a grid not asked for
])  # fmt: skip


def decay(days: float) -> float:
    return 2 ** (-days / 90)  # weights.toml: half_life_days = 90


def test_counts_at_each_moment_are_those_worked_out_by_hand():
    config = load_config()
    assert (config.half_life_days, config.window_days, config.repeat_window_days) == (90, 365, 90)
    flows = count_flows(CASES, np.array([10, 20]), np.array([NOW, NOW - 16 * DAY]), config)
    now = flows[(flows["grid_id"] == 10) & (flows["moment"] == 0)].iloc[0]
    assert now["case_intensity"] == pytest.approx(2 * decay(10) + decay(20) + decay(40) + decay(100))
    assert now["escalation"] == pytest.approx(0.5 * decay(20))
    assert (now["open"], now["overdue"], now["cases_30d"], now["escalated_30d"]) == (3, 1, 2, 1)
    assert now["repeat"] == 2  # three cases at building 5 within 90 days, one at building 6
    # 16 days earlier: the case of 10 days ago not yet reported, that of 20 days ago still open.
    before = flows[(flows["grid_id"] == 10) & (flows["moment"] == 1)].iloc[0]
    assert before["case_intensity"] == pytest.approx(decay(4) + decay(24) + decay(84))
    assert (before["open"], before["overdue"], before["cases_30d"], before["escalated_30d"]) == (3, 0, 2, 1)
    assert before["repeat"] == 1  # the cases of 20 and 40 days ago, both at building 5
    empty = flows[flows["grid_id"] == 20]
    assert len(empty) == 2 and (empty.drop(columns=["grid_id", "moment"]).to_numpy() == 0).all()
    assert set(flows["grid_id"]) == {10, 20}


def test_no_cases_at_all_give_zero_rows_for_every_grid_and_moment():
    empty = CASES.iloc[:0]
    flows = count_flows(empty, np.array([1, 2, 3]), np.array([NOW]), load_config())
    assert len(flows) == 3 and flows["open"].dtype == np.int64 and (flows["case_intensity"] == 0).all()


def test_the_whole_city_read_on_two_connections_equals_one(city_db):
    config = load_config()
    with connect(city_db) as conn:
        alone = partition.read_part(conn, DEMO_AS_OF, config)
    with connect(city_db) as conn, conn.transaction():
        beside = partition.read_part(conn, DEMO_AS_OF, config, snapshot=export_snapshot(conn))
    for mine, theirs in zip(alone.by_moment, beside.by_moment, strict=True):
        pd.testing.assert_frame_equal(mine, theirs)
    np.testing.assert_array_equal(alone.weekly, beside.weekly)
    assert (alone.weights != beside.weights).nnz == 0 and alone.weights.nnz > 0
    columns = ["grid_id", "category_code"]
    pd.testing.assert_frame_equal(
        alone.categories.sort_values(columns, ignore_index=True),
        beside.categories.sort_values(columns, ignore_index=True),
    )
    assert alone.by_moment[0]["cases_30d"].sum() > 0


def test_a_sibling_reads_what_the_snapshot_saw_not_later_commits(city_db):
    config = load_config()
    with connect(city_db) as conn, conn.transaction():
        snapshot = export_snapshot(conn)
        before = partition.read_part(conn, DEMO_AS_OF, config, snapshot=snapshot)
        with connect(city_db) as other:  # every placement taken away, committed after the export
            other.execute("DELETE FROM case_assignment")
        again = partition.read_part(conn, DEMO_AS_OF, config, snapshot=snapshot)
    assert before.weekly.sum() > 0 and before.by_moment[0]["cases_30d"].sum() > 0
    assert again.by_moment[0]["cases_30d"].sum() == 0  # conn's own reads see each commit
    np.testing.assert_array_equal(before.weekly, again.weekly)  # the sibling's: as exported
