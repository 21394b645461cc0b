"""One partition of a full risk recompute: the basic grids of one county (or of the whole
city), and the work on them that needs nothing of other partitions but a few numbers.

A partition reads its own grids and, as a halo, their neighbours across the county border:
read and scored, never returned, so that each own grid's Gi* sum over itself and its
neighbours is the same as in one whole. What is fitted over all grids (priors, typical
rates, the typical exposure, Gi*'s mean and variance, Benjamini-Hochberg's limits) comes from
sums that partitions hand to geo/risk/model.py, which adds them up and hands the result back
(a reduce, then a broadcast). Partitions are plain picklable objects, so the same functions
run in this process or on Dask workers (geo/risk/cluster.py).
"""

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sparse

from geo.db.connection import in_background
from geo.risk import inputs
from geo.risk.config import RiskConfig
from geo.risk.hotspots import classify_weeks, gi_moments, gi_z, hot_or_cold, p_values, weekly_z
from geo.risk.score import exposure_of, score_units
from geo.risk.smoothing import posterior, rate_moments

AREA_KINDS = ("community", "township", "county", "city")
FACT_COLUMNS = ("cases_30d", "overdue", "open", "repeat", "escalated_30d")


@dataclass
class Part:
    """Own grids first, then the halo; `weights` has a row per own grid (itself and its
    neighbours, binary), a column per grid of the partition."""

    county: str | None
    units: pd.DataFrame
    owned: int
    by_moment: list[pd.DataFrame]
    weekly: np.ndarray
    weights: sparse.csr_matrix
    categories: pd.DataFrame
    table: pd.DataFrame | None = None  # scores of all its grids, once scored
    weekly_rates: np.ndarray | None = None
    z: np.ndarray | None = None
    z_weeks: np.ndarray | None = None


@dataclass
class Yardstick:
    """What every partition scores with: each moment's priors, the as-of day's typical rates
    and exposure, and each week's prior of the emerging-hotspot rates."""

    priors: list[dict]
    references: dict
    typical_exposure: float
    weekly_priors: list


def read_part(
    conn, as_of: dt.date, config: RiskConfig, county: str | None = None, orphans: bool = False, snapshot=None
) -> Part:
    """The inputs of one county's grids (`orphans`: of the grids outside any county) and of
    their halo; neither: the whole city, whose grid adjacency, weekly and category counts are
    read on a second connection meanwhile when given conn's `snapshot` (geo/db/connection.py)."""
    own = inputs.read_units(conn, county, orphans=orphans)
    if county is None and not orphans:
        ids = own["grid_id"].to_numpy()
        with in_background(conn, snapshot, lambda other: _whole_context(other, as_of, config, ids)) as context:
            raw = inputs.read_components(conn, as_of, config, inputs.moments_back(config), snapshot=snapshot)
            pairs, weekly, categories = context()
        return _part(None, own, len(own), raw, weekly, pairs, categories)
    pairs = inputs.read_neighbours(conn, own["grid_id"])
    halo = np.setdiff1d(pairs["neighbour_id"].unique(), own["grid_id"].to_numpy())
    units = pd.concat([own, inputs.read_units(conn, grid_ids=halo)], ignore_index=True) if len(halo) else own
    ids = units["grid_id"].to_numpy()
    # The placements of a county's partition are found by county (0025: '' outside any).
    counties = sorted(set(units["county_key"]))
    raw = inputs.read_components(conn, as_of, config, inputs.moments_back(config), ids, counties)
    weekly = inputs.read_weekly_counts(conn, as_of, config.emerging_weeks, ids, False, counties)
    categories = inputs.read_category_counts(conn, as_of, own["grid_id"], counties)
    return _part(county, units, len(own), raw, weekly, pairs, categories)


def _whole_context(conn, as_of: dt.date, config: RiskConfig, ids: np.ndarray) -> tuple:
    """Of every basic grid: its neighbours (each pair both ways), weekly and category counts."""
    pairs = inputs.read_neighbours(conn)
    pairs = pd.concat([pairs, pairs.rename(columns={"grid_id": "neighbour_id", "neighbour_id": "grid_id"})])
    weekly = inputs.read_weekly_counts(conn, as_of, config.emerging_weeks, ids, True)
    return pairs, weekly, inputs.read_category_counts(conn, as_of)


def _part(county, units, owned: int, raw, weekly, pairs, categories) -> Part:
    ids = units["grid_id"].to_numpy()
    by_moment = [frame.set_index("grid_id").loc[ids].reset_index() for _, frame in raw.groupby("moment")]
    return Part(county, units, owned, by_moment, weekly, _weights(ids, owned, pairs), categories)


def _weights(ids: np.ndarray, owned: int, pairs: pd.DataFrame) -> sparse.csr_matrix:
    """Binary contiguity with each own grid its own neighbour, rows own grids only."""
    position = pd.Series(np.arange(len(ids)), index=ids)
    pairs = pairs[pairs["grid_id"].isin(ids[:owned]) & pairs["neighbour_id"].isin(ids)]
    rows = np.concatenate([np.arange(owned), position[pairs["grid_id"]].to_numpy(int)])
    columns = np.concatenate([np.arange(owned), position[pairs["neighbour_id"]].to_numpy(int)])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(owned, len(ids)))
    matrix.data[:] = 1.0  # a pair listed twice is still one neighbour
    return matrix


def exposure(part: Part, config: RiskConfig) -> np.ndarray:
    return exposure_of(part.units["households"], config)


def summary(part: Part, config: RiskConfig) -> dict:
    """What the reduce needs of the own grids: the moments of every component at every moment
    and of every week's counts, the exposures (for their median), the areas' sums, the units
    and categories (for the top categories)."""
    own, exposed = slice(0, part.owned), exposure(part, config)[: part.owned]
    names = [c.name for c in config.components]
    return {
        "moments": [{n: rate_moments(f[n].to_numpy()[own], exposed) for n in names} for f in part.by_moment],
        "weekly": [rate_moments(part.weekly[own, w], exposed) for w in range(part.weekly.shape[1])],
        "exposure": exposed,
        "areas": area_sums(part, config),
        "units": part.units.iloc[own],
        "categories": part.categories,
    }


def area_sums(part: Part, config: RiskConfig) -> dict:
    """kind -> (sums of each moment's components and facts per area code, exposure per code,
    the county of each code) over the own grids."""
    units = part.units.iloc[: part.owned]
    exposed = pd.Series(exposure(part, config)[: part.owned])
    result = {}
    for kind in AREA_KINDS:
        inside = units[kind].notna().to_numpy()
        if not inside.any():
            continue
        codes = units.loc[inside, kind].to_numpy()
        sums = [f.iloc[: part.owned][inside].groupby(codes).sum(numeric_only=True) for f in part.by_moment]
        county = (
            None if kind in ("county", "city") else units.loc[inside].drop_duplicates(kind).set_index(kind)["county"]
        )
        result[kind] = (sums, exposed[inside].groupby(codes).sum(), county)
    return result


def score_part(part: Part, yard: Yardstick, config: RiskConfig) -> Part:
    """Every grid of the partition scored with the broadcast yardstick (the halo too: its
    rates enter the own grids' Gi* sums), and each week's smoothed rates."""
    exposed = exposure(part, config)
    table = score_moments(part.by_moment, exposed, config, yard)
    weekly_rates = np.empty(part.weekly.shape)
    for week, prior in enumerate(yard.weekly_priors):
        weekly_rates[:, week] = posterior(part.weekly[:, week], exposed, prior)[0]
    return replace(part, table=table, weekly_rates=weekly_rates)


def score_moments(by_moment: list[pd.DataFrame], exposed: np.ndarray, config: RiskConfig, yard: Yardstick):
    """Score at every moment with the as-of day's typical rates and each moment's priors;
    trends are the differences. Each unit keeps its prior (alpha, beta per component)."""
    now = by_moment[0].reset_index(drop=True)
    scored = [
        score_units(frame.reset_index(drop=True), exposed, config, priors, yard.references, yard.typical_exposure)
        for frame, priors in zip(by_moment, yard.priors)
    ]
    table = scored[0]
    table["trend_week"] = table["score"] - scored[1]["score"]
    table["trend_month"] = table["score"] - scored[2]["score"]
    table["risk_trend_week"] = table["relative_risk"] - scored[1]["relative_risk"]
    table["risk_trend_month"] = table["relative_risk"] - scored[2]["relative_risk"]
    table["exposure"] = exposed
    for component in config.components:
        prior = yard.priors[0][component.name]
        table[f"{component.name}_raw"] = now[component.name].to_numpy()
        table[f"{component.name}_alpha"] = np.broadcast_to(prior.alpha, len(now))
        table[f"{component.name}_beta"] = np.broadcast_to(prior.beta, len(now))
    for fact in FACT_COLUMNS:
        table[fact] = now[fact].to_numpy()
    return table


def hotspot_moments(part: Part) -> dict:
    """Gi*'s sums over the own grids' rates per household: now, and in each week."""
    own = slice(0, part.owned)
    weeks = part.weekly_rates.shape[1]
    return {
        "now": gi_moments(part.table["rate_risk"].to_numpy()[own]),
        "weeks": [gi_moments(part.weekly_rates[own, week]) for week in range(weeks)],
    }


def z_part(part: Part, moments: dict) -> Part:
    """The own grids' Gi* z-scores, now and in each week, with the moments of all grids."""
    cardinality = np.asarray(part.weights.sum(axis=1)).ravel()
    z = gi_z(part.weights @ part.table["rate_risk"].to_numpy(), cardinality, moments["now"])
    z_weeks = weekly_z(part.weights @ part.weekly_rates, cardinality, moments["weeks"])
    return replace(part, z=z, z_weeks=z_weeks)


def p_summary(part: Part, false_discovery_rate: float) -> dict:
    """All own p-values of now (their q-values need every rank), and of each week only those
    at most the rate (all that Benjamini-Hochberg's limit depends on)."""
    weekly = p_values(part.z_weeks)
    return {
        "now": p_values(part.z),
        "weeks": [column[column <= false_discovery_rate] for column in weekly.T],
    }


def own_grids(part: Part) -> pd.DataFrame:
    """The own grids' rows, in the model's table shape (hotspot columns added by the caller)."""
    units = part.units.iloc[: part.owned]
    table = part.table.iloc[: part.owned].copy()
    table.insert(0, "kind", "grid")
    table.insert(1, "code", units["grid"].to_numpy())
    table.insert(2, "grid_id", units["grid_id"].to_numpy())
    table.insert(3, "households", units["households"].to_numpy())
    table["county"] = units["county"].to_numpy()
    table["gi_z"] = part.z
    return table


def finish_part(part: Part, q: np.ndarray, limits: list[float], config: RiskConfig) -> pd.DataFrame:
    """The own grids' rows with their q-values, hotspot status (from the q-values of all grids)
    and emerging class (from each week's limit over all grids)."""
    table = own_grids(part)
    table["gi_q"] = q
    table["hotspot"] = hot_or_cold(part.z, q <= config.false_discovery_rate)
    table["emerging"] = classify_weeks(part.z_weeks, limits, config)
    return table
