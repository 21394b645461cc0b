"""Risk snapshots on the small demo city: a full run, history, incremental refresh, the CLI."""

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from geo.db.connection import connect
from geo.db.frames import query_frame
from geo.geocode.bulk import assign_pending
from geo.risk.config import load_config
from geo.risk.refresh import refresh_pending
from geo.risk.score import assign_levels
from geo.risk.store import run_full
from tests.conftest import DEMO_AS_OF
from tests.test_cli import assert_one_line_error, run_geo

BASIC_GRIDS = "SELECT count(*) FROM grid_current WHERE is_basic"
AREAS_WITH_GRIDS = """
WITH RECURSIVE holding AS (
    SELECT DISTINCT community_id AS id FROM grid_current WHERE is_basic
    UNION SELECT a.parent_id FROM admin_area a JOIN holding h ON a.id = h.id WHERE a.parent_id IS NOT NULL
)
SELECT count(*) FROM holding
"""


def snapshot(url: str, as_of: dt.date) -> pd.DataFrame:
    with connect(url) as conn:
        return query_frame(conn, "SELECT * FROM risk_score WHERE as_of = %s ORDER BY code", [as_of]).set_index("code")


@pytest.fixture
def scored_city(city_db):
    """A copy of the small city with risk computed as of its last day."""
    with connect(city_db) as conn:
        run_full(conn, DEMO_AS_OF, load_config())
    return city_db


def test_every_grid_and_area_gets_a_score_level_and_explanation(scored_city):
    config = load_config()
    table = snapshot(scored_city, DEMO_AS_OF)
    with connect(scored_city) as conn:
        grids, areas = conn.execute(BASIC_GRIDS).fetchone()[0], conn.execute(AREAS_WITH_GRIDS).fetchone()[0]
    assert (table["kind"] == "grid").sum() == grids
    assert (table["kind"] != "grid").sum() == areas
    assert set(table["kind"]) == {"grid", "community", "township", "county", "city"}
    assert (table["score_low"] <= table["score"]).all() and (table["score"] <= table["score_high"]).all()
    contributions = table["components"].map(lambda parts: sum(p["contribution"] for p in parts.values()))
    np.testing.assert_allclose(contributions, table["relative_risk"], rtol=1e-4)
    expected = assign_levels(table["score"], table["score_low"], table["hotspot"] == "hot", config.thresholds)
    assert (table["level"] == expected).all()
    hot = table[table["hotspot"] == "hot"]
    assert len(hot) and (hot["gi_q"] <= config.false_discovery_rate).all() and (hot["gi_z"] > 0).all()
    emerging = table[table["emerging"].notna()]
    assert len(emerging) and emerging["kind"].eq("grid").all()
    assert emerging["explanation_zh"].str.contains("按周看").all()
    assert table["explanation_zh"].str.contains("预警：风险为").all()
    assert table["explanation_en"].str.contains("times the risk of").all()
    # The relative risk's interval holds it, and ranks where the score saturates.
    assert (table["risk_low"] <= table["relative_risk"] * (1 + 1e-6)).all()
    assert (table["relative_risk"] <= table["risk_high"] * (1 + 1e-6)).all()
    assert not table["explanation_zh"].str.contains("Gi\\*|z =").any()  # statisticians' terms are details
    red = table[(table["level"] == "red") & (table["kind"] == "grid")]
    assert len(red) and red["explanation_zh"].str.startswith("红色预警").all()


def test_explanations_name_counts_but_never_the_key_population(scored_city):
    table = snapshot(scored_city, DEMO_AS_OF)
    assert not table["explanation_zh"].str.contains("重点人群").any()
    assert not table["explanation_en"].str.contains("key population").any()
    busiest = table[table["kind"] == "grid"].sort_values("score").iloc[-1]
    assert f"近30天 {busiest['facts']['cases_30d']} 起" in busiest["explanation_zh"]


def test_each_day_is_a_snapshot_and_a_rerun_replaces_only_its_day(scored_city):
    config = load_config()
    week_before = DEMO_AS_OF - dt.timedelta(days=7)
    with connect(scored_city) as conn:
        run_full(conn, week_before, config)
        earlier = snapshot(scored_city, week_before)
        run_full(conn, DEMO_AS_OF, config)
        runs = conn.execute("SELECT count(*) FROM risk_run").fetchone()[0]
    assert runs == 3
    again = snapshot(scored_city, week_before)
    pd.testing.assert_frame_equal(earlier, again)
    latest = snapshot(scored_city, DEMO_AS_OF)
    assert len(latest) == len(earlier)
    grid = latest[latest["kind"] == "grid"]
    # The trend measures a week ago with today's typical values, the snapshot with that day's:
    # close, not equal (README, Risk scores).
    week_ago = grid["score"] - grid["trend_week"]
    assert np.corrcoef(week_ago, earlier.loc[grid.index, "score"])[0, 1] > 0.99
    assert (week_ago - earlier.loc[grid.index, "score"]).abs().median() < 2
    risk_week_ago = grid["relative_risk"] - grid["risk_trend_week"]  # the same, on the relative risk
    assert np.corrcoef(risk_week_ago, earlier.loc[grid.index, "relative_risk"])[0, 1] > 0.99


def add_cases(url: str, grid_code: str, count: int) -> None:
    """`count` fire hazards reported at noon of the as-of day inside the grid, then placed."""
    with connect(url) as conn:
        conn.execute(
            "INSERT INTO cases (code, source, category_code, summary, reported_at, geom, status, deadline)"
            " SELECT 'RISK-' || n, 'grid_worker', 'hazard_fire', '电动车楼道充电', %(noon)s, ST_PointOnSurface(geom),"
            " 'accepted', %(noon)s + interval '3 days'"
            " FROM grid_current, generate_series(1, %(count)s) n WHERE code = %(grid)s",
            {"noon": dt.datetime.combine(DEMO_AS_OF, dt.time(12)).astimezone(), "count": count, "grid": grid_code},
        )
        assign_pending(conn)
        conn.commit()


def test_a_new_case_rescores_its_grid_and_the_areas_above_it_only(scored_city):
    config = load_config()
    before = snapshot(scored_city, DEMO_AS_OF)
    quiet = before[(before["kind"] == "grid") & (before["level"] == "blue")].index[0]
    add_cases(scored_city, quiet, 6)
    with connect(scored_city) as conn:
        marked = conn.execute("SELECT g.code FROM risk_pending p JOIN grid_current g ON g.id = p.grid_id").fetchall()
        assert marked == [(quiet,)]
        result = refresh_pending(conn, today=DEMO_AS_OF)
        assert conn.execute("SELECT count(*) FROM risk_pending").fetchone()[0] == 0
    assert result["grids_rescored"] == 1
    after = snapshot(scored_city, DEMO_AS_OF)
    changed = after.index[after["updated_at"] != before["updated_at"]]
    assert changed[after.loc[changed, "kind"] == "grid"].tolist() == [quiet]
    assert sorted(after.loc[changed, "kind"]) == ["city", "community", "county", "grid", "township"]
    for code in changed:  # the grid and every area above it count the six new cases
        assert after.loc[code, "facts"]["cases_30d"] == before.loc[code, "facts"]["cases_30d"] + 6
    assert after.loc[quiet, "score"] > before.loc[quiet, "score"]
    assert after.loc[quiet, "trend_week"] > before.loc[quiet, "trend_week"]
    assert after.loc[quiet, "risk_trend_week"] > before.loc[quiet, "risk_trend_week"]
    with connect(scored_city) as conn:
        run_full(conn, DEMO_AS_OF, config)
    full = snapshot(scored_city, DEMO_AS_OF)
    # The full run also refits the priors, which the outlier widened: close, a little higher.
    assert after.loc[quiet, "score"] <= full.loc[quiet, "score"] < after.loc[quiet, "score"] + 5


def test_refresh_without_any_run_does_nothing(city_db):
    with connect(city_db) as conn:
        assert refresh_pending(conn, today=DEMO_AS_OF) is None


@pytest.mark.slow
def test_cli_computes_and_explains(city_db, tmp_path):
    computed = run_geo("risk", "--as-of", DEMO_AS_OF.isoformat(), database_url=city_db)
    assert computed.returncode == 0, computed.stderr
    summary = json.loads(computed.stdout)
    assert summary["grids"] == sum(summary["levels"].values()) > 0
    table = snapshot(city_db, DEMO_AS_OF)
    code = table[table["kind"] == "grid"].sort_values("score").index[-1]
    explained = run_geo("risk", "--explain", code, database_url=city_db, in_process=True)
    assert explained.returncode == 0, explained.stderr
    unit = json.loads(explained.stdout)
    assert unit["code"] == code and unit["name"].endswith("网格")
    assert unit["score_low"] <= unit["score"] <= unit["score_high"]
    assert set(unit["components"]) == {c.name for c in load_config().components}
    assert unit["explanation_zh"] and unit["explanation_en"]
    assert_one_line_error(
        run_geo("risk", "--explain", "9999", database_url=city_db, in_process=True), "no grid, micro-grid or area"
    )
    with connect(city_db) as conn:
        upper, micro = conn.execute(
            "SELECT (SELECT code FROM grid_current WHERE NOT is_basic LIMIT 1), (SELECT code FROM micro_grid_current LIMIT 1)"
        ).fetchone()
    # A grid above the basic level is never scored: the message says so, not that the date is wrong.
    refused = run_geo("risk", "--explain", upper, database_url=city_db, in_process=True)
    assert_one_line_error(refused, "only basic grids (and areas) are scored")
    assert "scores exist up to" not in refused.stderr
    assert_one_line_error(
        run_geo("risk", "--explain", micro, database_url=city_db, in_process=True), "micro-grids are not scored"
    )
    assert_one_line_error(
        run_geo("risk", "--as-of", "2026-13-01", database_url=city_db, in_process=True), "expected a date"
    )
    broken = tmp_path / "weights.toml"
    broken.write_text("[time]\nhalf_life_days = 0\n", encoding="utf-8")
    assert_one_line_error(
        run_geo("risk", "--config", str(broken), database_url=city_db, in_process=True), "risk configuration"
    )


def test_an_import_of_cases_rescores_their_grid(city_db, tmp_path):
    assert run_geo("risk", database_url=city_db, in_process=True).returncode == 0  # today's snapshot
    with connect(city_db) as conn:  # today and an hour ago where the city is (Asia/Shanghai)
        today, hour_ago = conn.execute(
            "SELECT current_date, to_char(now() - interval '1 hour', 'YYYY-MM-DD HH24:MI')"
        ).fetchone()
        grid, lon, lat = conn.execute(
            "SELECT code, ST_X(p), ST_Y(p) FROM grid_current, ST_PointOnSurface(geom) p"
            " WHERE is_basic ORDER BY code LIMIT 1"
        ).fetchone()
    before = snapshot(city_db, today).loc[grid]
    path = tmp_path / "cases.csv"
    rows = [f"IMPORT-{n},消防安全隐患,电动车楼道充电,{hour_ago},网格员,{lon},{lat}" for n in range(3)]
    path.write_text("事件编号,事件类型,事件描述,上报时间,来源,经度,纬度\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run_geo("import", str(path), "--layer", "cases", "--json", database_url=city_db, in_process=True)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["inserted"] == 3 and summary["risk"]["grids_rescored"] == 1
    after = snapshot(city_db, today).loc[grid]
    assert after["facts"]["cases_30d"] == before["facts"]["cases_30d"] + 3
    assert after["score"] > before["score"]


def test_a_city_without_cases_or_before_any_data_is_scored_all_blue(city_db):
    config = load_config()
    with connect(city_db) as conn:
        conn.execute("DELETE FROM cases")
        conn.commit()
        early = run_full(conn, dt.date(2020, 1, 1), config)  # before any key person too
        result = run_full(conn, DEMO_AS_OF, config)
    assert early["grids"] == result["grids"] > 0
    assert early["levels"]["blue"] == early["grids"] and early["hotspots"] == 0
    table = snapshot(city_db, DEMO_AS_OF)
    assert table["score"].between(0, 100).all() and not table["explanation_zh"].str.contains("nan").any()
    assert not table["explanation_zh"].str.contains("主要因素：。").any()


def test_the_key_population_load_stays_in_the_sensitive_schema(scored_city):
    table = snapshot(scored_city, DEMO_AS_OF)
    parts = table["components"].map(lambda components: set(components["key_population"]))
    assert parts.map(lambda p: p == {"ratio", "contribution"}).all()
    with connect(scored_city) as conn:
        kept = conn.execute("SELECT count(*), sum(raw) FROM sensitive.risk_key_population").fetchone()
    assert kept[0] == len(table) and kept[1] > 0
    explained = run_geo("risk", "--explain", table.index[0], database_url=scored_city, in_process=True)
    assert '"raw"' not in json.dumps(json.loads(explained.stdout)["components"]["key_population"])


def test_an_empty_database_gets_clear_errors(fresh_database):
    url = fresh_database()
    assert_one_line_error(run_geo("risk", database_url=url, in_process=True), "no basic grids to score")
    assert_one_line_error(run_geo("risk", "--pending", database_url=url, in_process=True), "no risk scores yet")
    assert_one_line_error(
        run_geo("risk", "--explain", "411800", database_url=url, in_process=True), "no risk score for '411800'"
    )
