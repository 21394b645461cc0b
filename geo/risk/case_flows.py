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
COUNTS = ("open", "overdue", "repeat", "cases_30d", "escalated_30d")  # the integer ones
FACT_DAYS = 30  # cases_30d, escalated_30d: the explanation's "in the last 30 days"


def count_flows(cases: pd.DataFrame, grid_ids: np.ndarray, moments: np.ndarray, config: RiskConfig) -> pd.DataFrame:
    """One row per (grid of `grid_ids`, moment): the case components and facts at the end of
    each moment (epoch seconds), zero for a grid without cases.

    `cases`: grid_id, building_id (NaN: none), severity, escalation (weights), reported,
    closed and deadline (epoch seconds, NaN: none)."""
    position = pd.Index(grid_ids)
    row = position.get_indexer(cases["grid_id"].to_numpy())
    inside = row >= 0
    cases, row = cases[inside], row[inside]
    frames = [
        _at_moment(cases, row, len(grid_ids), t, config).assign(grid_id=grid_ids, moment=number)
        for number, t in enumerate(moments)
    ]
    return pd.concat(frames, ignore_index=True)


def _at_moment(cases: pd.DataFrame, row: np.ndarray, grids: int, t: float, config: RiskConfig) -> pd.DataFrame:
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

    return pd.DataFrame({
        "case_intensity": total(cases["severity"].to_numpy(float) * decay),
        "escalation": total(escalated * decay),
        "open": total(is_open),
        "overdue": total(is_open & (cases["deadline"].to_numpy(float) < t)),
        "repeat": _repeats(cases, row, grids, seen & (age < config.repeat_window_days)),
        "cases_30d": total(recent),
        "escalated_30d": total(recent & (escalated > 0)),
    }).astype({column: np.int64 for column in COUNTS})  # fmt: skip


def _repeats(cases: pd.DataFrame, row: np.ndarray, grids: int, within: np.ndarray) -> np.ndarray:
    """重复报事 per grid: its cases with a building inside the repeat window, less one per
    building (a building's first case is no repeat)."""
    building = cases["building_id"].to_numpy(float)
    within = within & ~np.isnan(building)
    rows, buildings = row[within].astype(np.int64), building[within].astype(np.int64)
    span = int(buildings.max(initial=0)) + 1
    grid_of_pair = np.unique(rows * span + buildings) // span  # one per (grid, building)
    return np.bincount(rows, minlength=grids) - np.bincount(grid_of_pair, minlength=grids)
