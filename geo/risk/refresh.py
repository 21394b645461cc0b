"""Keeping today's snapshot up to date between full runs: the grids marked in risk_pending
(by triggers, when their cases change) are rescored, with the configuration and priors of
today's run, and the areas above them take the difference. Only the stored rows of the
counties involved are read (measured: 0.24 s for one grid in the city, 0.90 s in a province
ten times its size, against 2.6 s and 23.5 s for a full run)."""

import datetime as dt
import sys
import time

import pandas as pd
import psycopg

from geo import clock
from geo.db.connection import connect, load_query
from geo.errors import UserError
from geo.risk import inputs
from geo.risk.config import RiskConfig, parse_config
from geo.risk.explain import explain_table
from geo.risk.model import AREA_KINDS, FACT_COLUMNS, top_categories
from geo.risk.score import assign_levels, score_units
from geo.risk.smoothing import Prior
from geo.risk.store import SENSITIVE, read_snapshot, run_full, write_rows

# Above this share of grids pending, a full run is as quick as rescoring them one by one.
FULL_RUN_SHARE = 0.2
# (change column, the measure it is a change of): a rescore keeps the earlier values fixed.
TRENDS = (
    ("trend_week", "score"),
    ("trend_month", "score"),
    ("risk_trend_week", "relative_risk"),
    ("risk_trend_month", "relative_risk"),
)


def refresh_scores() -> dict | None:
    """After cases were added or changed (an import, a geocoder run): rescore their grids in a
    transaction of its own. None when no score was ever computed. The change itself is
    committed by then, so a failure here is a warning on stderr, not the command's error."""
    try:
        with connect() as conn:
            return refresh_pending(conn)
    except (UserError, psycopg.Error) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"warning: risk scores not refreshed ({reason}); run `python -m geo risk --pending`", file=sys.stderr)
        return {"error": reason}


def refresh_pending(conn: psycopg.Connection, today: dt.date | None = None) -> dict | None:
    """Rescore the marked grids on today's snapshot; a full run instead when today has no
    snapshot yet (then with the configuration of the last run), the grids changed since (a
    redraw), or many grids are marked. None when no score was ever computed: then there is
    nothing to keep up to date. Nothing marked, nothing done (a day without changes gets its
    snapshot from `python -m geo risk`, e.g. nightly)."""
    today = today or clock.today()
    latest = conn.execute("SELECT config FROM risk_run ORDER BY id DESC LIMIT 1").fetchone()
    if latest is None:
        return None
    if not conn.execute("SELECT EXISTS (SELECT 1 FROM risk_pending)").fetchone()[0]:
        return _summary(today, [], pd.DataFrame(), 0.0)
    run = conn.execute(
        "SELECT id, config, typical FROM risk_run WHERE as_of = %s ORDER BY id DESC LIMIT 1", [today]
    ).fetchone()
    config = parse_config(run[1] if run else latest[0], "of the last run")
    if run is None:
        return run_full(conn, today, config)
    started = time.perf_counter()
    with conn.transaction():
        pending = [row[0] for row in conn.execute(PENDING_CURRENT_GRIDS)]
        basic_grids = conn.execute("SELECT count(*) FROM grid_current WHERE is_basic").fetchone()[0]
        matches = conn.execute(load_query("risk/snapshot_matches"), [today]).fetchone()[0]
        if not matches or len(pending) > FULL_RUN_SHARE * basic_grids:
            return run_full(conn, today, config)
        rows = _rescore(conn, pending, today, config, run[2]) if pending else pd.DataFrame()
        if len(rows):
            conn.execute("DELETE FROM risk_score WHERE as_of = %s AND code = ANY (%s)", [today, list(rows["code"])])
            write_rows(conn, rows, today, run[0], config)
    return _summary(today, pending, rows, time.perf_counter() - started)


def _summary(today: dt.date, pending: list, rows: pd.DataFrame, seconds: float) -> dict:
    """What a refresh did: how many grids and areas, and the level of each row rewritten."""
    return {
        "as_of": today.isoformat(),
        "grids_rescored": len(pending),
        "areas_rescored": int(len(rows) - len(pending)),
        "levels": {f"{r.kind} {r.code}": r.level for r in rows.itertuples()} if len(rows) else {},
        "seconds": round(seconds, 2),
    }


# The marks taken (and cleared), of grids that are current basic grids (not old versions).
PENDING_CURRENT_GRIDS = """
WITH taken AS (DELETE FROM risk_pending RETURNING grid_id)
SELECT g.id FROM taken JOIN grid_current g ON g.id = taken.grid_id AND g.is_basic
"""


def _rescore(conn, pending: list[int], as_of: dt.date, config: RiskConfig, typical: dict) -> pd.DataFrame:
    """New rows for the pending grids and every area above them."""
    units = inputs.read_units(conn).set_index("grid_id")
    mine = units.loc[pending]
    table = read_snapshot(conn, as_of, config, list(mine["county"].dropna().unique()), list(mine["grid"]))
    changed = table.index[(table["kind"] == "grid") & table["code"].isin(mine["grid"])]
    touched = list(changed) + _apply_changes(conn, table, changed, mine, as_of, config)
    for kind, rows in table.loc[touched].groupby("kind").groups.items():
        kind_typical = {**typical[kind], SENSITIVE: table.loc[rows[0], f"{SENSITIVE}_typical"]}
        _score_rows(table, rows, config, kind_typical)
    table.loc[touched, "level"] = assign_levels(
        table.loc[touched, "score"],
        table.loc[touched, "score_low"],
        table.loc[touched, "hotspot"] == "hot",
        config.thresholds,
    )
    categories = inputs.read_category_counts(conn, as_of)
    table.loc[touched, "top_categories"] = pd.Series(
        top_categories(table, units.reset_index(), categories, rows=touched), index=touched, dtype=object
    )
    zh, en = explain_table(table, config, inputs.read_category_names(conn), rows=touched)
    table.loc[touched, "explanation_zh"], table.loc[touched, "explanation_en"] = zh, en
    return table.loc[touched]


def _apply_changes(conn, table, changed, mine: pd.DataFrame, as_of: dt.date, config: RiskConfig) -> list:
    """Put the grids' fresh raw values in place and add the differences to the areas above
    them; return the rows of those areas."""
    names = [c.name for c in config.components]  # some facts share a component's name (overdue)
    columns = [f"{name}_raw" for name in names] + list(FACT_COLUMNS)
    read = inputs.read_components(conn, as_of, config, [0], list(mine.index)).set_index("code")
    fresh = pd.concat([read[names].add_suffix("_raw"), read[list(FACT_COLUMNS)]], axis=1)
    codes = table.loc[changed, "code"]
    delta = fresh.loc[codes, columns].to_numpy(float) - table.loc[changed, columns].to_numpy(float)
    table.loc[changed, columns] = fresh.loc[codes, columns].to_numpy(float)
    areas = []
    by_grid = mine.set_index("grid")
    for kind in AREA_KINDS:
        sums = pd.DataFrame(delta, columns=columns).groupby(by_grid.loc[codes, kind].to_numpy()).sum()
        for code, change in sums.iterrows():
            row = table.index[(table["kind"] == kind) & (table["code"] == code)]
            table.loc[row, columns] = table.loc[row, columns].to_numpy(float) + change.to_numpy()
            areas += list(row)
    return areas


def _score_rows(table: pd.DataFrame, rows, config: RiskConfig, typical: dict) -> None:
    """Rescore rows in place with their stored priors; the trend keeps the earlier scores fixed."""
    names = [c.name for c in config.components]
    raw = pd.DataFrame({name: table.loc[rows, f"{name}_raw"].to_numpy(float) for name in names})
    priors = {
        name: Prior(table.loc[rows, f"{name}_alpha"].to_numpy(float), table.loc[rows, f"{name}_beta"].to_numpy(float))
        for name in names
    }
    exposure = table.loc[rows, "exposure"].to_numpy(float)
    scored = score_units(raw, exposure, config, priors, {n: typical[n] for n in names}, typical["typical_exposure"])
    for column, measure in TRENDS:
        earlier = table.loc[rows, measure].to_numpy(float) - table.loc[rows, column].to_numpy(float)
        table.loc[rows, column] = scored[measure].to_numpy() - earlier
    for column in scored.columns:
        table.loc[rows, column] = scored[column].to_numpy()
