"""One full computation of risk for an as-of day, in memory: grids and the areas above them.

Reads through geo/risk/inputs.py, writes nothing (geo/risk/store.py does). The result is one
table with a row per unit, ready to store (with each unit's prior, which later incremental
updates of single grids reuse), plus the typical rates that ratios divide by.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg
from scipy import stats

from geo.errors import UserError
from geo.risk import partition
from geo.risk.config import RiskConfig
from geo.risk.hotspots import combine_gi_moments, significant_below
from geo.risk.partition import AREA_KINDS, FACT_COLUMNS  # noqa: F401 (store, refresh)
from geo.risk.score import assign_levels
from geo.risk.smoothing import fit_prior, prior_from_moments


@dataclass
class Computation:
    units: pd.DataFrame  # one row per grid and area: scores, levels, components, facts
    references: dict  # kind -> component -> typical rate per household (what 1.0 means)


class InProcess:
    """Runs each partition's step here, one after the other (geo/risk/cluster.py: on Dask)."""

    def map(self, function, parts: list, *args) -> list:
        return [function(part, *args) for part in parts]

    def gather(self, results: list) -> list:
        return list(results)


def compute(conn: psycopg.Connection, as_of: dt.date, config: RiskConfig, snapshot: str | None = None) -> Computation:
    """Scores, levels, hotspots, trends of every basic grid and every area, as of `as_of`
    (`snapshot`: conn's, for reading on two connections at once)."""
    whole = partition.read_part(conn, as_of, config, snapshot=snapshot)
    return compute_parts(InProcess(), [whole], config, as_of)


def compute_parts(runner, parts: list, config: RiskConfig, as_of: dt.date) -> Computation:
    """The recompute over partitions (one: the whole city; or one per county). Each step runs
    on every partition; between steps the sums they hand back are added up here and the
    result handed to the next step (priors, Gi*'s moments, Benjamini-Hochberg's limits)."""
    summaries = runner.gather(runner.map(partition.summary, parts, config))
    owned = np.array([len(summary["units"]) for summary in summaries])
    if owned.sum() == 0:
        raise UserError("no basic grids to score: load the demo city or import grids first")
    yard = _yardstick(summaries, config)
    parts = runner.map(partition.score_part, parts, yard, config)
    moments = _combine(runner.gather(runner.map(partition.hotspot_moments, parts)))
    parts = runner.map(partition.z_part, parts, moments)
    p = runner.gather(runner.map(partition.p_summary, parts, config.false_discovery_rate))
    q = stats.false_discovery_control(np.concatenate([found["now"] for found in p]), method="bh")
    weeks = len(moments["weeks"])
    limits = [
        significant_below(np.concatenate([found["weeks"][w] for found in p]), owned.sum(), config.false_discovery_rate)
        for w in range(weeks)
    ]
    q_parts = np.split(q, np.cumsum(owned)[:-1])
    grids = pd.concat(
        runner.gather([runner.map(partition.finish_part, [part], q_part, limits, config)[0]
                       for part, q_part in zip(parts, q_parts)]),
        ignore_index=True,
    ).sort_values("code", ignore_index=True)  # fmt: skip
    return _assemble(grids, yard, summaries, config, as_of)


def _yardstick(summaries: list[dict], config: RiskConfig) -> partition.Yardstick:
    """The reduce: moments of all partitions added up, priors and typical rates fitted once."""
    names = [c.name for c in config.components]
    moments = [
        {n: sum(summary["moments"][moment][n] for summary in summaries) for n in names}
        for moment in range(len(summaries[0]["moments"]))
    ]
    weekly = [sum(summary["weekly"][week] for summary in summaries) for week in range(len(summaries[0]["weekly"]))]
    exposure = np.concatenate([summary["exposure"] for summary in summaries])
    return partition.Yardstick(
        priors=[{n: prior_from_moments(m[n]) for n in names} for m in moments],
        references={n: float(moments[0][n][1] / np.sum(exposure)) for n in names},
        typical_exposure=float(np.median(exposure)),
        weekly_priors=[prior_from_moments(m) for m in weekly],
    )


def _combine(moments: list[dict]) -> dict:
    weeks = len(moments[0]["weeks"])
    return {
        "now": combine_gi_moments([m["now"] for m in moments]),
        "weeks": [combine_gi_moments([m["weeks"][w] for m in moments]) for w in range(weeks)],
    }


def _assemble(grids: pd.DataFrame, yard, summaries: list[dict], config: RiskConfig, as_of: dt.date) -> Computation:
    """Grids and areas in one table, with levels and top categories."""
    grids.attrs["references"] = {**yard.references, "typical_exposure": yard.typical_exposure}
    tables, references = [grids], {"grid": grids.attrs["references"]}
    for kind in AREA_KINDS:
        found = [summary["areas"][kind] for summary in summaries if kind in summary["areas"]]
        if found:  # imported grids may lack their areas (orphans)
            areas = _area_table(kind, found, config)
            tables.append(areas)
            references[kind] = areas.attrs["references"]
    table = pd.concat(tables, ignore_index=True)
    table["level"] = assign_levels(table["score"], table["score_low"], table["hotspot"] == "hot", config.thresholds)
    units = pd.concat([summary["units"] for summary in summaries], ignore_index=True)
    categories = pd.concat([summary["categories"] for summary in summaries], ignore_index=True)
    table["top_categories"] = top_categories(table, units, categories)
    return Computation(units=table, references=references)


def _area_table(kind: str, found: list[tuple], config: RiskConfig) -> pd.DataFrame:
    """An area's components are the sums over its basic grids (added up over partitions: a
    city spans counties); it is then scored like a grid, smoothed towards all areas of its kind."""
    moments = len(found[0][0])
    summed = [pd.concat([sums[moment] for sums, _, _ in found]).groupby(level=0).sum() for moment in range(moments)]
    exposure = pd.concat([exposed for _, exposed, _ in found]).groupby(level=0).sum()
    by_moment = [frame.loc[exposure.index] for frame in summed]
    yard = _area_yardstick(by_moment, exposure.to_numpy(), config)
    table = partition.score_moments(by_moment, exposure.to_numpy(), config, yard)
    table.insert(0, "kind", kind)
    table.insert(1, "code", exposure.index.to_numpy())
    table.insert(2, "grid_id", None)
    table.insert(3, "households", by_moment[0]["households"].to_numpy())
    if kind in ("county", "city"):
        table["county"] = None
    else:
        county = pd.concat([c for _, _, c in found])
        table["county"] = county[~county.index.duplicated()].loc[exposure.index].to_numpy()
    table.attrs["references"] = {**yard.references, "typical_exposure": yard.typical_exposure}
    return table


def _area_yardstick(by_moment: list[pd.DataFrame], exposure: np.ndarray, config: RiskConfig) -> partition.Yardstick:
    """Areas of one kind are few: their priors and typical rates are fitted here, at once."""
    names = [c.name for c in config.components]
    now = by_moment[0]
    return partition.Yardstick(
        priors=[{n: fit_prior(frame[n].to_numpy(), exposure) for n in names} for frame in by_moment],
        references={n: float(now[n].sum() / np.sum(exposure)) for n in names},
        typical_exposure=float(np.median(exposure)),
        weekly_priors=[],
    )


def top_categories(table: pd.DataFrame, units: pd.DataFrame, categories: pd.DataFrame, rows=None, top: int = 2) -> list:
    """The most frequent case categories of the last 30 days, as [[code, cases], ...], of each
    unit in `rows` of `table` (default: all): per kind, one grouped sum and sort."""
    wanted = table if rows is None else table.loc[rows]
    located = categories.merge(units, on="grid_id")
    found: dict[tuple, list] = {}
    for kind in ("grid", *AREA_KINDS):  # units' columns are named after their kind
        mine = located if rows is None else located[located[kind].isin(wanted.loc[wanted["kind"] == kind, "code"])]
        counts = mine.groupby([kind, "category_code"], sort=False)["cases"].sum().reset_index()
        counts = counts.sort_values([kind, "cases", "category_code"], ascending=[True, False, True])
        counts = counts[counts.groupby(kind, sort=False).cumcount() < top]
        for code, category, cases in zip(counts[kind], counts["category_code"], counts["cases"]):
            found.setdefault((kind, code), []).append([category, int(cases)])
    return [found.get((kind, code), []) for kind, code in zip(wanted["kind"], wanted["code"])]
