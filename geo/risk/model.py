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

from geo.errors import UserError
from geo.risk import inputs
from geo.risk.config import RiskConfig
from geo.risk.hotspots import adjacency, emerging_classes, gi_star
from geo.risk.score import assign_levels, exposure_of, fit_priors, score_units, typical_rates
from geo.risk.smoothing import fit_prior, posterior

AREA_KINDS = ("community", "township", "county", "city")
FACT_COLUMNS = ("cases_30d", "overdue", "open", "repeat", "escalated_30d")


@dataclass
class Computation:
    units: pd.DataFrame  # one row per grid and area: scores, levels, components, facts
    references: dict  # kind -> component -> typical rate per household (what 1.0 means)


def compute(conn: psycopg.Connection, as_of: dt.date, config: RiskConfig) -> Computation:
    """Scores, levels, hotspots, trends of every basic grid and every area, as of `as_of`."""
    units = inputs.read_units(conn)
    if units.empty:
        raise UserError("no basic grids to score: load the demo city or import grids first")
    raw = inputs.read_components(conn, as_of, config, inputs.moments_back(config))
    by_moment = [frame.set_index("grid_id").loc[units["grid_id"]] for _, frame in raw.groupby("moment")]
    graph = _grid_graph(conn, units)
    grids = _grid_table(units, by_moment, config)
    _add_hotspots(conn, grids, units, graph, as_of, config)
    tables, references = [grids], {"grid": grids.attrs["references"]}
    for kind in AREA_KINDS:
        if units[kind].notna().any():  # imported grids may lack their areas (orphans)
            areas = _area_table(kind, units, by_moment, config)
            tables.append(areas)
            references[kind] = areas.attrs["references"]
    table = pd.concat(tables, ignore_index=True)
    table["level"] = assign_levels(table["score"], table["score_low"], table["hotspot"] == "hot", config.thresholds)
    table["top_categories"] = top_categories(table, units, inputs.read_category_counts(conn, as_of))
    return Computation(units=table, references=references)


def _grid_graph(conn, units: pd.DataFrame):
    """The adjacency of the basic grids, in the order of `units`."""
    position = pd.Series(np.arange(len(units)), index=units["grid_id"].to_numpy())
    pairs = inputs.read_neighbours(conn)
    return adjacency(len(units), np.column_stack([position[pairs["grid_id"]], position[pairs["neighbour_id"]]]))


def _grid_table(units: pd.DataFrame, by_moment: list[pd.DataFrame], config: RiskConfig) -> pd.DataFrame:
    table = _scored(by_moment, exposure_of(units["households"], config), config)
    table.insert(0, "kind", "grid")
    table.insert(1, "code", units["grid"].to_numpy())
    table.insert(2, "grid_id", units["grid_id"].to_numpy())
    table.insert(3, "households", units["households"].to_numpy())
    table["county"] = units["county"].to_numpy()
    return table


def _area_table(kind: str, units: pd.DataFrame, by_moment: list[pd.DataFrame], config: RiskConfig) -> pd.DataFrame:
    """An area's components are the sums over its basic grids; it is then scored like a grid,
    smoothed towards all areas of its kind."""
    inside = units[kind].notna().to_numpy()
    codes = units.loc[inside, kind].to_numpy()
    exposure = pd.Series(exposure_of(units["households"], config)[inside]).groupby(codes).sum()
    summed = [frame[inside].reset_index(drop=True).groupby(codes).sum(numeric_only=True) for frame in by_moment]
    table = _scored([frame.loc[exposure.index] for frame in summed], exposure.to_numpy(), config)
    table.insert(0, "kind", kind)
    table.insert(1, "code", exposure.index.to_numpy())
    table.insert(2, "grid_id", None)
    table.insert(3, "households", summed[0].loc[exposure.index, "households"].to_numpy())
    if kind in ("county", "city"):
        table["county"] = None
    else:
        county = units.loc[inside].drop_duplicates(kind).set_index(kind)["county"]
        table["county"] = county.loc[exposure.index].to_numpy()
    return table


def _scored(by_moment: list[pd.DataFrame], exposure: np.ndarray, config: RiskConfig) -> pd.DataFrame:
    """Score at every moment with the as-of day's typical rates; trends are the differences.
    Each unit's prior (alpha, beta per component) is kept for incremental refreshes."""
    now = by_moment[0].reset_index(drop=True)
    references = typical_rates(now, exposure, config)
    typical = float(np.median(exposure))
    priors = fit_priors(now, exposure, config)
    table = score_units(now, exposure, config, priors, references, typical)
    earlier = [
        score_units(frame.reset_index(drop=True), exposure, config, fit_priors(frame, exposure, config), references,
                    typical)
        for frame in by_moment[1:]
    ]  # fmt: skip
    table["trend_week"] = table["score"] - earlier[0]["score"]
    table["trend_month"] = table["score"] - earlier[1]["score"]
    table["exposure"] = exposure
    for component in config.components:
        table[f"{component.name}_raw"] = now[component.name].to_numpy()
        table[f"{component.name}_alpha"] = np.broadcast_to(priors[component.name].alpha, len(now))
        table[f"{component.name}_beta"] = np.broadcast_to(priors[component.name].beta, len(now))
    for fact in FACT_COLUMNS:
        table[fact] = now[fact].to_numpy()
    table.attrs["references"] = {**references, "typical_exposure": typical}
    return table


def _add_hotspots(conn, grids: pd.DataFrame, units: pd.DataFrame, graph, as_of: dt.date, config: RiskConfig) -> None:
    """Gi* over the grid adjacency, and emerging classes over weekly bins. Both test rates per
    household: where people live is clustered, and a cluster of populous grids is not a hotspot."""
    result = gi_star(grids["rate_risk"].to_numpy(), graph, config.false_discovery_rate)
    grids["gi_z"], grids["gi_q"], grids["hotspot"] = result["z"], result["q"], result["hotspot"]
    weekly = inputs.read_weekly_counts(conn, as_of, config.emerging_weeks, units["grid_id"].to_numpy())
    grids["emerging"] = emerging_classes(_smoothed_rates(weekly, grids["exposure"].to_numpy()), graph, config)


def _smoothed_rates(counts: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """Each column's counts as empirical-Bayes rates per household."""
    rates = np.empty(counts.shape)
    for column in range(counts.shape[1]):
        rates[:, column] = posterior(counts[:, column], exposure, fit_prior(counts[:, column], exposure))[0]
    return rates


def top_categories(table: pd.DataFrame, units: pd.DataFrame, categories: pd.DataFrame, rows=None, top: int = 2) -> list:
    """The most frequent case categories of the last 30 days, as [[code, cases], ...], of each
    unit in `rows` of `table` (default: all)."""
    wanted = table if rows is None else table.loc[rows]
    located = categories.merge(units, on="grid_id")
    result = {}
    for kind in ("grid", *AREA_KINDS):  # units' columns are named after their kind
        mine = located[located[kind].isin(wanted.loc[wanted["kind"] == kind, "code"])]
        counts = mine.groupby([kind, "category_code"])["cases"].sum().reset_index()
        counts = counts.sort_values([kind, "cases", "category_code"], ascending=[True, False, True])
        for code, group in counts.groupby(kind, sort=False):
            result[(kind, code)] = [[c, int(n)] for c, n in zip(group["category_code"][:top], group["cases"][:top])]
    return [result.get((kind, code), []) for kind, code in zip(wanted["kind"], wanted["code"])]
