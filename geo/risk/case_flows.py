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
    cases, row = cases[inside], row[inside]
    columns = [_at_moment(cases, row, len(grid_ids), t, config) for t in moments]
    table = pd.DataFrame({
        "grid_id": np.tile(grid_ids, len(moments)),
        "moment": np.repeat(np.arange(len(moments)), len(grid_ids)),
        **{name: np.concatenate([at[name] for at in columns]) for name in FLOW_COLUMNS},
    })  # fmt: skip
    return table


def _at_moment(cases: pd.DataFrame, row: np.ndarray, grids: int, t: float, config: RiskConfig) -> dict:
    """The components of every grid at one moment: what the case rows say at time t."""
    reported, closed = cases["reported"].to_numpy(float), cases["closed"].to_numpy(float)
    age = (t - reported) / SECONDS_A_DAY
    seen = reported <= t
    counted = seen & (age < config.window_days)
    decay = np.where(counted, np.exp(-np.log(2) * np.where(counted, age, 0) / config.half_life_days), 0.0)
    is_open = seen & ~(closed <= t)  # not closed, or closed after t (NaN: never closed)
    recent = seen & (age < FACT_DAYS)
    escalated = cases["escalation"].to_numpy(float)

    def total(weights) -> np.ndarray:
        return np.bincount(row, weights=weights, minlength=grids)

    def count(chosen) -> np.ndarray:
        return np.bincount(row[chosen], minlength=grids)

    return {
        "case_intensity": total(cases["severity"].to_numpy(float) * decay),
        "escalation": total(escalated * decay),
        "open": count(is_open),
        "overdue": count(is_open & (cases["deadline"].to_numpy(float) < t)),
        "repeat": _repeats(cases, row, grids, seen & (age < config.repeat_window_days)),
        "cases_30d": count(recent),
        "escalated_30d": count(recent & (escalated > 0)),
    }


def _repeats(cases: pd.DataFrame, row: np.ndarray, grids: int, within: np.ndarray) -> np.ndarray:
    """重复报事 per grid: its cases with a building inside the repeat window, less one per
    building (a building's first case is no repeat)."""
    building = cases["building_id"].to_numpy(float)
    within = within & ~np.isnan(building)
    rows, buildings = row[within].astype(np.int64), building[within].astype(np.int64)
    span = int(buildings.max(initial=0)) + 1
    grid_of_pair = np.unique(rows * span + buildings) // span  # one per (grid, building)
    return np.bincount(rows, minlength=grids) - np.bincount(grid_of_pair, minlength=grids)
