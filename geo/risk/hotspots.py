"""Hotspots: local Getis-Ord Gi* on the grid adjacency (esda), false-discovery-rate control
(Benjamini-Hochberg, scipy), and emerging-hotspot classes over weekly bins.

Gi* compares the sum over a grid and its neighbours with what the whole city would give; its
analytical z-score is used (not permutations) so that a year of weekly bins stays fast.
"""

import numpy as np
from libpysal.graph import Graph
from scipy import stats

PERSISTENT_SHARE = 0.9  # hot in at least this share of the weeks: persistent/intensifying/diminishing


def adjacency(count: int, pairs: np.ndarray) -> Graph:
    """Binary contiguity with every unit its own neighbour (the * of Gi*), from index pairs."""
    pairs = np.asarray(pairs, dtype=int).reshape(-1, 2)
    own = np.arange(count)
    focal = np.concatenate([own, pairs[:, 0], pairs[:, 1]])
    neighbour = np.concatenate([own, pairs[:, 1], pairs[:, 0]])
    return Graph.from_arrays(focal, neighbour, np.ones(len(focal)))


def gi_moments(values: np.ndarray) -> np.ndarray:
    """What Gi* needs of all units: [count, sum, sum of squares, min, max]. Moments of parts
    combine with `combine_gi_moments` into those of the whole."""
    values = np.asarray(values, float)
    if not len(values):
        return np.array([0.0, 0.0, 0.0, np.inf, -np.inf])
    return np.array([len(values), values.sum(), (values * values).sum(), values.min(), values.max()])


def combine_gi_moments(parts: list[np.ndarray]) -> np.ndarray:
    parts = np.asarray(parts, float).reshape(-1, 5)
    return np.array([*parts[:, :3].sum(axis=0), parts[:, 3].min(), parts[:, 4].max()])


def gi_z(local_sum: np.ndarray, cardinality: np.ndarray, moments: np.ndarray) -> np.ndarray:
    """Analytical Gi* z-scores (esda's G_Local with star and binary weights) of units whose
    sums over themselves and their neighbours are `local_sum`, over `cardinality` units, in a
    whole whose values have `gi_moments` `moments`. A unit without neighbours gets 0, and so
    does every unit of a whole without variation or with fewer than 3 units."""
    count, total, squares, low, high = (float(value) for value in moments)
    cardinality = np.asarray(cardinality, float)
    if count < 3 or high - low == 0:
        return np.zeros(len(cardinality))
    mean = total / count
    variance = squares / count - mean**2
    expected = cardinality / count
    spread = cardinality * (count - cardinality) / (count - 1) * (1 / count**2) * (variance / mean**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.asarray(local_sum, float) / total - expected) / np.sqrt(spread)
    return np.where(cardinality > 1, z, 0.0)


def p_values(z: np.ndarray) -> np.ndarray:
    return 2 * stats.norm.sf(np.abs(z))


def significant_below(p: np.ndarray, count: int, false_discovery_rate: float) -> float:
    """The largest p-value that Benjamini-Hochberg over `count` tests declares significant,
    from the p-values at most the rate (`p`, of any part): only those can be, and their ranks
    among all tests are their ranks among themselves. -1 when none is. The same arithmetic as
    scipy's false_discovery_control, so a unit is significant here exactly when its q-value
    there is at most the rate."""
    p = np.sort(np.asarray(p, float))
    p = p[p <= false_discovery_rate]
    if not len(p):
        return -1.0
    q = p * (count / np.arange(1, len(p) + 1, dtype=float))
    q = np.minimum.accumulate(q[::-1])[::-1]
    passed = np.flatnonzero(np.clip(q, 0.0, 1.0) <= false_discovery_rate)
    return float(p[passed[-1]]) if len(passed) else -1.0


def hot_or_cold(z: np.ndarray, significant: np.ndarray) -> np.ndarray:
    hotspot = np.where(significant & (z > 0), "hot", np.where(significant & (z < 0), "cold", None))
    return hotspot.astype(object)


def gi_star(values: np.ndarray, graph: Graph, false_discovery_rate: float) -> dict[str, np.ndarray]:
    """z-scores, two-sided Benjamini-Hochberg q-values, and 'hot'/'cold'/None per unit."""
    values = np.asarray(values, float)
    weights = graph.sparse
    z = gi_z(weights @ values, np.asarray(weights.sum(axis=1)).ravel(), gi_moments(values))
    if not len(values):
        return {"z": z, "q": np.ones(0), "hotspot": np.full(0, None, dtype=object)}
    q = stats.false_discovery_control(p_values(z), method="bh")
    return {"z": z, "q": q, "hotspot": hot_or_cold(z, q <= false_discovery_rate)}


def emerging_classes(weekly_values: np.ndarray, graph: Graph, config) -> np.ndarray:
    """Class of each unit from Gi* on every weekly bin (columns oldest to latest)."""
    weights = graph.sparse
    cardinality = np.asarray(weights.sum(axis=1)).ravel()
    moments = [gi_moments(weekly_values[:, week]) for week in range(weekly_values.shape[1])]
    z = weekly_z(weights @ weekly_values, cardinality, moments)
    limits = [significant_below(p_values(z[:, w]), len(z), config.false_discovery_rate) for w in range(z.shape[1])]
    return classify_weeks(z, limits, config)


def weekly_z(local_sums: np.ndarray, cardinality: np.ndarray, moments: list[np.ndarray]) -> np.ndarray:
    """Gi* z-scores of every week (columns), each week with the moments of its own values."""
    z = np.zeros(local_sums.shape)
    for week, week_moments in enumerate(moments):
        z[:, week] = gi_z(local_sums[:, week], cardinality, week_moments)
    return z


def classify_weeks(z: np.ndarray, limits: list[float], config) -> np.ndarray:
    """Only units hot in the latest week get a class: new (never hot before its current run of hot
    weeks), intensifying / persistent / diminishing (hot in >= 90 % of the weeks; the trend of
    its weekly z-scores by a Mann-Kendall test), sporadic (hot on and off). A unit is hot in a
    week when its p-value is at most that week's Benjamini-Hochberg limit and z > 0."""
    hot = (p_values(z) <= np.asarray(limits, float)) & (z > 0)
    classes = np.full(len(z), None, dtype=object)
    for unit in np.flatnonzero(hot[:, -1]) if z.shape[1] else []:
        classes[unit] = _classify(hot[unit], z[unit], config.trend_significance)
    return classes


def _classify(hot: np.ndarray, z: np.ndarray, significance: float) -> str:
    if hot.mean() >= PERSISTENT_SHARE:
        tau, p_value = stats.kendalltau(np.arange(len(z)), z)  # Mann-Kendall trend test
        if p_value < significance:
            return "intensifying" if tau > 0 else "diminishing"
        return "persistent"
    run_start = len(hot) - np.argmin(hot[::-1]) if not hot.all() else 0
    return "new" if not hot[:run_start].any() else "sporadic"
