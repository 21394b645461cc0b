"""The case components of each grid at a few moments, counted in memory from one read of the
placed cases (geo/db/queries/risk/case_rows.sql).

Over a province that is a million cases, each counted at three moments. In SQL the three
copies of every case were sorted for the distinct buildings of repeats: 7 s of a 20 s run.
Here each moment is a few vectorised passes over the cases (README, "Risk scores", for what
each component means).
"""

import numpy as np
import pandas as pd

from geo.risk.config import RiskConfig

SECONDS_A_DAY = 86400.0
CASE_VALUES = ("building_id", "severity", "escalation", "reported", "closed", "deadline")
FLOW_COLUMNS = ("case_intensity", "escalation", "open", "overdue", "repeat", "cases_30d", "escalated_30d")
FACT_DAYS = 30  # cases_30d, escalated_30d: the explanation's "in the last 30 days"


def count_flows(cases: pd.DataFrame, grid_ids, moments: np.ndarray, config: RiskConfig) -> pd.DataFrame:
    """One row per (moment, grid of `grid_ids`), moment by moment and the grids in their
    order: the case components and facts at the end of each moment (epoch seconds), zero for
    a grid without cases.

    `cases`: grid_id, building_id (NaN: none), severity, escalation (weights), reported,
    closed and deadline (epoch seconds, NaN: none)."""
    grid_ids = np.asarray(grid_ids)
    row = pd.Index(grid_ids).get_indexer(cases["grid_id"].to_numpy())
    inside = row >= 0
    case = {column: cases[column].to_numpy(float)[inside] for column in CASE_VALUES}
    at = [_at_moment(case, row[inside], len(grid_ids), t, config) for t in moments]
    return pd.DataFrame({
        "grid_id": np.tile(grid_ids, len(moments)),
        "moment": np.repeat(np.arange(len(moments)), len(grid_ids)),
        **{name: np.concatenate([values[name] for values in at]) for name in FLOW_COLUMNS},
    })  # fmt: skip


def _at_moment(case: dict, row: np.ndarray, grids: int, t: float, config: RiskConfig) -> dict:
    """The components of every grid at one moment: what the cases' values say at time t."""
    age = (t - case["reported"]) / SECONDS_A_DAY
    seen = case["reported"] <= t
    counted = seen & (age < config.window_days)
    decay = np.where(counted, np.exp(-np.log(2) * np.where(counted, age, 0) / config.half_life_days), 0.0)
    is_open = seen & ~(case["closed"] <= t)  # not closed, or closed after t (NaN: never closed)
    recent = seen & (age < FACT_DAYS)

    def total(weights) -> np.ndarray:
        return np.bincount(row, weights=weights, minlength=grids)

    def count(chosen) -> np.ndarray:
        return np.bincount(row[chosen], minlength=grids)

    return {
        "case_intensity": total(case["severity"] * decay),
        "escalation": total(case["escalation"] * decay),
        "open": count(is_open),
        "overdue": count(is_open & (case["deadline"] < t)),  # NaN: no deadline, never overdue
        "repeat": _repeats(case["building_id"], row, grids, seen & (age < config.repeat_window_days)),
        "cases_30d": count(recent),
        "escalated_30d": count(recent & (case["escalation"] > 0)),
    }


def _repeats(building: np.ndarray, row: np.ndarray, grids: int, within: np.ndarray) -> np.ndarray:
    """重复报事 per grid: its cases with a building inside the repeat window, less one per
    building (a building's first case is no repeat)."""
    within = within & ~np.isnan(building)
    rows, buildings = row[within].astype(np.int64), building[within].astype(np.int64)
    lowest = buildings.min(initial=0)
    span = int(buildings.max(initial=0) - lowest) + 1
    grid_of_pair = np.unique(rows * span + (buildings - lowest)) // span  # one per (grid, building)
    return np.bincount(rows, minlength=grids) - np.bincount(grid_of_pair, minlength=grids)
