"""Risk snapshots in the database: a full run replaces one as-of day; a refresh rescores only
the grids whose cases changed (risk_pending, filled by triggers) and the areas above them."""

import datetime as dt
import json
import time

import pandas as pd
import psycopg

from geo.db.connection import connect, load_query
from geo.db.copy import copy_rows
from geo.risk import inputs
from geo.risk.config import RiskConfig, parse_config
from geo.risk.explain import explain_table
from geo.risk.model import AREA_KINDS, FACT_COLUMNS, compute, top_categories
from geo.risk.score import assign_levels, score_units
from geo.risk.smoothing import Prior

STORED_COLUMNS = [
    "as_of", "code", "kind", "county_code", "run_id", "households", "exposure", "score", "score_low", "score_high",
    "relative_risk", "level", "components", "facts", "gi_z", "gi_q", "hotspot", "emerging",
    "trend_week", "trend_month", "explanation_zh", "explanation_en",
]  # fmt: skip
COMPONENT_PARTS = ("raw", "ratio", "contribution", "alpha", "beta")  # stored per component
SENSITIVE = "key_population"
SENSITIVE_PARTS = ("raw", "alpha", "beta", "typical")  # in sensitive.risk_key_population
# Above this share of grids pending, a full run is as quick as rescoring them one by one.
FULL_RUN_SHARE = 0.2


def run_full(conn: psycopg.Connection, as_of: dt.date, config: RiskConfig) -> dict:
    """Compute every grid and area as of `as_of` and replace that day's snapshot, atomically."""
    started = time.perf_counter()
    with conn.transaction():
        # The newest snapshot (today's) is the one kept up to date: a run of it settles the marks
        # (those made while it runs stay); a run of an earlier day leaves them.
        conn.execute(
            "DELETE FROM risk_pending WHERE NOT EXISTS (SELECT 1 FROM risk_run WHERE as_of > %s)", [as_of]
        )
        computation = compute(conn, as_of, config)
        table = computation.units
        table["explanation_zh"], table["explanation_en"] = explain_table(
            table, config, inputs.read_category_names(conn)
        )
        seconds = time.perf_counter() - started
        run_id = conn.execute(
            "INSERT INTO risk_run (as_of, seconds, config, typical) VALUES (%s, %s, %s, %s) RETURNING id",
            [as_of, seconds, json.dumps(config.source), json.dumps(_public(computation.references))],
        ).fetchone()[0]
        table[f"{SENSITIVE}_typical"] = [computation.references[kind][SENSITIVE] for kind in table["kind"]]
        conn.execute("DELETE FROM risk_score WHERE as_of = %s", [as_of])
        _write(conn, table, as_of, run_id, config)
    return summary(table, as_of, time.perf_counter() - started)


def refresh_pending(conn: psycopg.Connection, today: dt.date | None = None) -> dict | None:
    """Rescore the grids marked in risk_pending on today's snapshot, with the configuration and
    priors of today's run; a full run instead when today has no snapshot yet, the grids changed
    since (a redraw), or many grids are marked. None when no score was ever computed: then
    there is nothing to keep up to date."""
    today = today or conn.execute("SELECT current_date").fetchone()[0]
    latest = conn.execute("SELECT config FROM risk_run ORDER BY id DESC LIMIT 1").fetchone()
    if latest is None:
        return None
    run = conn.execute(
        "SELECT id, config, typical FROM risk_run WHERE as_of = %s ORDER BY id DESC LIMIT 1", [today]
    ).fetchone()
    config = parse_config((run or latest)[1 if run else 0], "of the last run")
    if run is None:
        return run_full(conn, today, config)
    run_id, _, typical = run
    started = time.perf_counter()
    with conn.transaction():
        current = {row[0] for row in conn.execute("SELECT id FROM grid_current WHERE is_basic")}
        pending = {row[0] for row in conn.execute("DELETE FROM risk_pending RETURNING grid_id")} & current
        table = _read_snapshot(conn, today, config)
        scored = set(table.loc[table["kind"] == "grid", "grid_id"])
        if scored != current or len(pending) > FULL_RUN_SHARE * len(current):
            return run_full(conn, today, config)
        changed = table.index[table["grid_id"].isin(pending)]
        if len(changed):
            rows = _rescore(conn, table, changed, today, config, typical)
            conn.execute("DELETE FROM risk_score WHERE as_of = %s AND code = ANY (%s)", [today, list(rows["code"])])
            _write(conn, rows, today, run_id, config)
    result = summary(table, today, time.perf_counter() - started)
    result["grids_rescored"] = int(len(changed))
    return result


def refresh_scores() -> dict | None:
    """After cases were added or changed (an import, a geocoder run): rescore their grids in a
    transaction of its own. None when no score was ever computed."""
    with connect() as conn:
        return refresh_pending(conn)


def summary(table: pd.DataFrame, as_of: dt.date, seconds: float) -> dict:
    """Counts per level and hotspots of the grids, for the command's output."""
    grids = table[table["kind"] == "grid"]
    return {
        "as_of": as_of.isoformat(),
        "grids": int(len(grids)),
        "areas": int(len(table) - len(grids)),
        "levels": {level: int((grids["level"] == level).sum()) for level in ("red", "orange", "yellow", "blue")},
        "hotspots": int((grids["hotspot"] == "hot").sum()),
        "emerging": {k: int(v) for k, v in grids["emerging"].dropna().value_counts().items()},
        "seconds": round(seconds, 2),
    }


def _rescore(conn, table: pd.DataFrame, changed: pd.Index, as_of: dt.date, config: RiskConfig, typical: dict):
    """New rows for the changed grids and every area above them, with the priors and typical
    values of today's run."""
    grid_ids = table.loc[changed, "grid_id"].astype(int).tolist()
    fresh = inputs.read_components(conn, as_of, config, [0], grid_ids).set_index("grid_id")
    for name in [c.name for c in config.components] + list(FACT_COLUMNS):
        column = name if name in FACT_COLUMNS else f"{name}_raw"
        table.loc[changed, column] = fresh.loc[grid_ids, name].to_numpy()
    units = inputs.read_units(conn).set_index("grid_id")
    grids = table[table["kind"] == "grid"]
    membership = units.loc[grids["grid_id"].astype(int)]
    touched = list(changed)
    for kind in AREA_KINDS:
        sums = grids[_summed_columns(config)].groupby(membership[kind].to_numpy()).sum()
        areas = table[(table["kind"] == kind) & table["code"].isin(set(units.loc[grid_ids, kind].dropna()))]
        table.loc[areas.index, _summed_columns(config)] = sums.loc[areas["code"]].to_numpy()
        touched += list(areas.index)
    for kind, rows in table.loc[touched].groupby("kind").groups.items():
        kind_typical = {**typical[kind], SENSITIVE: table.loc[rows[0], f"{SENSITIVE}_typical"]}
        _score_rows(table, rows, config, kind_typical)
    table.loc[touched, "level"] = assign_levels(
        table.loc[touched, "score"],
        table.loc[touched, "score_low"],
        table.loc[touched, "hotspot"] == "hot",
        config.thresholds,
    )
    table["top_categories"] = top_categories(table, units.reset_index(), inputs.read_category_counts(conn, as_of))
    zh, en = explain_table(table, config, inputs.read_category_names(conn), rows=touched)
    table.loc[touched, "explanation_zh"], table.loc[touched, "explanation_en"] = zh, en
    return table.loc[touched]


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
    for column in ("trend_week", "trend_month"):
        table.loc[rows, column] = (
            table.loc[rows, column].to_numpy(float)
            + scored["score"].to_numpy()
            - table.loc[rows, "score"].to_numpy(float)
        )
    for column in scored.columns:
        table.loc[rows, column] = scored[column].to_numpy()


def _summed_columns(config: RiskConfig) -> list[str]:
    return [f"{c.name}_raw" for c in config.components] + list(FACT_COLUMNS)


def _write(conn, table: pd.DataFrame, as_of: dt.date, run_id: int, config: RiskConfig) -> None:
    names = [c.name for c in config.components]
    rows = table.assign(as_of=as_of, run_id=run_id, county_code=table["county"])
    rows["components"] = [
        json.dumps({n: {part: r[f"{n}_{part}"] for part in _parts(n)} for n in names}) for r in table.to_dict("records")
    ]
    rows["facts"] = [
        json.dumps({**{fact: int(r[fact]) for fact in FACT_COLUMNS}, "top_categories": r["top_categories"]},
                   ensure_ascii=False)
        for r in table.to_dict("records")
    ]  # fmt: skip
    rows["households"] = rows["households"].astype(int)
    copy_rows(conn, "risk_score", STORED_COLUMNS, rows)
    sensitive = rows[["as_of", "code"]].assign(**{part: rows[f"{SENSITIVE}_{part}"] for part in SENSITIVE_PARTS})
    copy_rows(conn, "sensitive.risk_key_population", ["as_of", "code", *SENSITIVE_PARTS], sensitive)


def _parts(component: str) -> tuple[str, ...]:
    """What the public table keeps of a component: all of it, but of the key-population load
    only the ratio and contribution (its raw value and prior would give the weighted count of
    key persons of a grid; they stay in the sensitive schema)."""
    return ("ratio", "contribution") if component == SENSITIVE else COMPONENT_PARTS


def _public(references: dict) -> dict:
    return {kind: {k: v for k, v in values.items() if k != SENSITIVE} for kind, values in references.items()}


def _read_snapshot(conn, as_of: dt.date, config: RiskConfig) -> pd.DataFrame:
    """The stored rows of a day, back in the model's table shape."""
    cursor = conn.execute(load_query("risk_snapshot"), [as_of])
    return _unpack(pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description]), config)


def _unpack(stored: pd.DataFrame, config: RiskConfig) -> pd.DataFrame:
    for name in [c.name for c in config.components]:
        for part in _parts(name):
            stored[f"{name}_{part}"] = [c[name][part] for c in stored["components"]]
    for fact in FACT_COLUMNS:
        stored[fact] = [f[fact] for f in stored["facts"]]
    stored["top_categories"] = [f["top_categories"] for f in stored["facts"]]
    stored["exposure"] = stored["exposure"].astype(float)
    numbers = ["score", "score_low", "score_high", "relative_risk", "gi_z", "gi_q", "trend_week", "trend_month"]
    return stored.astype({column: float for column in numbers})
