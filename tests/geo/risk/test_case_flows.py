"""The case components counted in memory (geo/risk/case_flows.py) on cases whose answers are
worked out by hand and against a plain recount of a city's cases; the full run's inputs read
on two connections equal to one; a run stored in slices equal to one stored whole."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.db.connection import connect, export_snapshot
from geo.db.frames import query_frame
from geo.risk import explain, inputs, partition, store
from geo.risk.case_flows import count_flows
from geo.risk.config import load_config
from geo.risk.model import FACT_COLUMNS
from geo.risk.store import run_full
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
    case(30, 0, closed_days_ago=0, building=8),  # reported and closed at t itself
    case(30, 365),  # exactly a window old, still open
    case(30, 2, deadline_days_ago=0),  # no building, due at t
    case(30, 3, building=8),
])  # fmt: skip


def decay(days: float) -> float:
    return 2 ** (-days / 90)  # weights.toml: half_life_days = 90


def test_counts_at_each_moment_are_those_worked_out_by_hand():
    config = load_config()
    assert (config.half_life_days, config.window_days, config.repeat_window_days) == (90, 365, 90)
    flows = count_flows(CASES, np.array([10, 20]), np.array([NOW, NOW - 16 * DAY]), config)
    assert list(flows["grid_id"]) == [10, 20, 10, 20] and list(flows["moment"]) == [0, 0, 1, 1]
    now = flows[(flows["grid_id"] == 10) & (flows["moment"] == 0)].iloc[0]
    assert now["case_intensity"] == pytest.approx(2 * decay(10) + decay(20) + decay(40) + decay(100))
    assert now["escalation"] == pytest.approx(0.5 * decay(20))
    assert (now["open"], now["overdue"], now["cases_30d"], now["escalated_30d"]) == (3, 1, 2, 1)
    assert now["repeat"] == 2  # three cases at building 5 within 90 days
    # 16 days earlier: the case of 10 days ago not yet reported, that of 20 days ago still open.
    before = flows[(flows["grid_id"] == 10) & (flows["moment"] == 1)].iloc[0]
    assert before["case_intensity"] == pytest.approx(decay(4) + decay(24) + decay(84))
    assert (before["open"], before["overdue"], before["cases_30d"], before["escalated_30d"]) == (3, 0, 2, 1)
    assert before["repeat"] == 1  # the cases of 20 and 40 days ago, both at building 5
    empty = flows[flows["grid_id"] == 20]
    assert len(empty) == 2 and (empty.drop(columns=["grid_id", "moment"]).to_numpy() == 0).all()
    assert set(flows["grid_id"]) == {10, 20}


def test_the_edges_of_each_window_are_those_of_the_sql_it_replaced():
    flows = count_flows(CASES, np.array([30]), np.array([NOW]), load_config()).iloc[0]
    # Reported at t counts (age 0); closed at t is closed; due at t is not overdue (deadline < t);
    # 365 days old is outside the window (age < 365) but still open; no building, no repeat.
    assert flows["case_intensity"] == pytest.approx(1 + decay(2) + decay(3))
    assert (flows["open"], flows["overdue"], flows["cases_30d"], flows["repeat"]) == (3, 0, 3, 1)


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


# Recounted here from the cases, one grid at a time in plain SQL, at the end of the as-of day.
RECOUNT = """
WITH t AS (SELECT (%(day)s::date)::timestamptz AS t),
placed AS (
    SELECT a.grid_id, a.building_id, c.*, date_part('epoch', t.t - c.reported_at) / 86400 AS age, t.t,
           coalesce(s.weight, %(default)s) AS severity, coalesce(e.weight, 0) AS escalation
    FROM cases c JOIN case_assignment a ON a.case_id = c.id CROSS JOIN t
    LEFT JOIN unnest(%(codes)s::text[], %(weights)s::float8[]) AS s (code, weight) ON s.code = c.category_code
    LEFT JOIN unnest(%(levels)s::text[], %(level_weights)s::float8[]) AS e (level, weight)
        ON e.level = c.escalation_level
    WHERE a.status = 'assigned' AND c.reported_at <= t.t
)
SELECT grid_id,
       count(*) FILTER (WHERE closed_at IS NULL OR closed_at > t) AS open,
       count(*) FILTER (WHERE (closed_at IS NULL OR closed_at > t) AND deadline < t) AS overdue,
       count(*) FILTER (WHERE age < 30) AS cases_30d,
       count(*) FILTER (WHERE age < 30 AND escalation > 0) AS escalated_30d,
       count(building_id) FILTER (WHERE age < %(repeat)s)
           - count(DISTINCT building_id) FILTER (WHERE age < %(repeat)s) AS repeat,
       coalesce(sum(severity * power(2, -age / %(half_life)s)) FILTER (WHERE age < %(window)s), 0) AS case_intensity,
       coalesce(sum(escalation * power(2, -age / %(half_life)s)) FILTER (WHERE age < %(window)s), 0) AS escalation
FROM placed GROUP BY grid_id
"""


def test_the_components_equal_a_plain_recount_of_the_cases(city_db):
    config = load_config()
    with connect(city_db) as conn:
        read = inputs.read_components(conn, DEMO_AS_OF, config, [0]).set_index("grid_id")
        severity = inputs.read_severities(conn, config)  # category -> weight (the catalogue's, weights.toml's)
        params = {
            "day": DEMO_AS_OF + dt.timedelta(days=1),
            "codes": list(severity),
            "weights": list(severity.values()),
            "default": config.severity["default"],
            "levels": list(config.escalation),
            "level_weights": list(config.escalation.values()),
            "repeat": config.repeat_window_days,
            "half_life": config.half_life_days,
            "window": config.window_days,
        }
        recount = query_frame(conn, RECOUNT, params).set_index("grid_id")
    recount = recount.reindex(read.index, fill_value=0)
    for column in ("open", "overdue", "cases_30d", "escalated_30d", "repeat"):
        assert (read[column] == recount[column]).all(), column
    for column in ("case_intensity", "escalation"):
        assert read[column].to_numpy() == pytest.approx(recount[column].astype(float).to_numpy()), column
    assert read["cases_30d"].sum() > 100 and read["repeat"].sum() > 0 and read["overdue"].sum() > 0
    assert read["escalated_30d"].sum() > 0


def test_a_run_stored_in_many_slices_stores_what_one_slice_does(city_db, monkeypatch):
    def stored(conn):
        day = [DEMO_AS_OF]
        public = query_frame(conn, "SELECT * FROM risk_score WHERE as_of = %s ORDER BY code", day)
        sensitive = query_frame(conn, "SELECT * FROM sensitive.risk_key_population WHERE as_of = %s ORDER BY code", day)
        conn.commit()  # the next run opens its own transaction (and reads on two connections)
        return public.drop(columns=["run_id", "updated_at"]), sensitive

    with connect(city_db) as conn:
        run_full(conn, DEMO_AS_OF, load_config())
        whole = stored(conn)
        monkeypatch.setattr(explain, "CHUNK_ROWS", 7)
        run_full(conn, DEMO_AS_OF, load_config())
        sliced = stored(conn)
    assert len(whole[0]) > 7 * 10 and len(whole[1]) == len(whole[0])
    pd.testing.assert_frame_equal(whole[0], sliced[0])
    pd.testing.assert_frame_equal(whole[1], sliced[1])


def test_a_component_that_is_not_a_number_stops_the_store():
    config = load_config()
    row = {
        f"{c.name}_{part}": 1.0 for c in config.components for part in ("raw", "ratio", "contribution", "alpha", "beta")
    }
    row |= dict.fromkeys(FACT_COLUMNS, 1) | {"county": "1", "households": 100, "top_categories": []}
    table = pd.DataFrame([row, row | {"overdue_ratio": float("nan")}])
    with pytest.raises(ValueError, match="not a finite number"):
        store._stored(table, DEMO_AS_OF, 1, config)
