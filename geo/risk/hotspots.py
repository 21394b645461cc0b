"""Hotspots: local Getis-Ord Gi* on the grid adjacency (esda), false-discovery-rate control
(Benjamini-Hochberg, scipy), and emerging-hotspot classes over weekly bins.

Gi* compares the sum over a grid and its neighbours with what the whole city would give; its
analytical z-score is used (not permutations) so that a year of weekly bins stays fast.
"""

import numpy as np
from esda.getisord import G_Local
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


def gi_star(values: np.ndarray, graph: Graph, false_discovery_rate: float) -> dict[str, np.ndarray]:
    """z-scores, two-sided Benjamini-Hochberg q-values, and 'hot'/'cold'/None per unit."""
    values = np.asarray(values, float)
    if len(values) < 3 or np.ptp(values) == 0:  # no variation: nothing can stand out
        empty = np.full(len(values), None, dtype=object)
        return {"z": np.zeros(len(values)), "q": np.ones(len(values)), "hotspot": empty}
    z = G_Local(values, graph, transform="B", permutations=0, star=None).Zs
    # A grid without neighbours would be compared on its own value alone: no hotspot test.
    z = np.where(np.asarray(graph.sparse.sum(axis=1)).ravel() > 1, z, 0.0)
    q = stats.false_discovery_control(2 * stats.norm.sf(np.abs(z)), method="bh")
    significant = q <= false_discovery_rate
    hotspot = np.where(significant & (z > 0), "hot", np.where(significant & (z < 0), "cold", None))
    return {"z": z, "q": q, "hotspot": hotspot.astype(object)}


def emerging_classes(weekly_values: np.ndarray, graph: Graph, config) -> np.ndarray:
    """Class of each unit from Gi* on every weekly bin (columns oldest to latest).

    Only units hot in the latest week get a class: new (never hot before its current run of hot
    weeks), intensifying / persistent / diminishing (hot in >= 90 % of the weeks; the trend of
    its weekly z-scores by a Mann-Kendall test), sporadic (hot on and off)."""
    weeks = weekly_values.shape[1]
    z, hot = np.zeros(weekly_values.shape), np.zeros(weekly_values.shape, bool)
    for week in range(weeks):
        result = gi_star(weekly_values[:, week], graph, config.false_discovery_rate)
        z[:, week], hot[:, week] = result["z"], result["hotspot"] == "hot"
    classes = np.full(len(weekly_values), None, dtype=object)
    for unit in np.flatnonzero(hot[:, -1]):
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
