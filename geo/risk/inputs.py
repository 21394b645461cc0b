"""What the risk model reads from the database: raw components, categories, weekly counts,
the grid adjacency and which areas hold which grid. SQL in geo/db/queries/risk/."""

import datetime as dt

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa

from geo.db.connection import in_background, load_query
from geo.db.frames import copy_frame, query_frame
from geo.risk import case_flows
from geo.risk.config import RiskConfig

# Queen contiguity with slack: grids closer than about a metre are neighbours.
NEIGHBOUR_TOLERANCE_DEG = 1e-5
CASE_TYPES = {"grid_id": pa.int64()} | {column: pa.float64() for column in case_flows.CASE_VALUES}
# The end of each moment's day in the session's time zone, as the queries cut days.
MOMENT_EPOCHS = """SELECT date_part('epoch', day::timestamptz)
FROM unnest(%s::date[]) WITH ORDINALITY AS m (day, ord) ORDER BY ord"""
RAW_COLUMNS = [
    "case_intensity",
    "overdue",
    "open",
    "repeat",
    "escalation",
    "key_population",
    "cases_30d",
    "escalated_30d",
]


def moments_back(config: RiskConfig) -> list[int]:
    """Days before the as-of day at which components are read: now, a week, a month."""
    return [0, 7, config.trend_month_days]


def read_components(
    conn: psycopg.Connection,
    as_of: dt.date,
    config: RiskConfig,
    days_back: list[int],
    grid_ids=None,
    counties=None,
    snapshot: str | None = None,
) -> pd.DataFrame:
    """One row per (basic grid, moment), by moment and code: the raw value of every component
    and the facts the explanation quotes (cases in 30 days, escalated cases). `counties`: the
    county codes of all of `grid_ids`, which narrows the placements read to theirs. With conn's
    `snapshot`, the key-population load is read on a second connection meanwhile."""
    ids = None if grid_ids is None else [int(i) for i in grid_ids]
    days = [as_of + dt.timedelta(days=1 - back) for back in days_back]  # each moment: the end of a day
    moments = np.array([row[0] for row in conn.execute(MOMENT_EPOCHS, [days])])
    params = {"grid_ids": ids, "moment_days": days, **_key_weights(config)}
    with in_background(conn, snapshot, lambda c: query_frame(c, load_query("risk/grid_key_load"), params)) as key:
        grids = query_frame(conn, load_query("risk/grids"), {"grid_ids": ids})
        table = case_flows.count_flows(read_cases(conn, config, days, ids, counties), grids["grid_id"], moments, config)
        key_load = key()
    table["key_population"] = _by_moment_and_grid(key_load, grids["grid_id"], len(days))
    table["code"], table["households"] = np.tile(grids["code"], len(days)), np.tile(grids["households"], len(days))
    return table[["grid_id", "code", "households", "moment", *RAW_COLUMNS]]


def _by_moment_and_grid(key_load: pd.DataFrame, grid_ids: pd.Series, moments: int) -> np.ndarray:
    """The key-population load of each (moment, grid) in count_flows' row order; 0 where none."""
    values = np.zeros(moments * len(grid_ids))
    row = pd.Index(grid_ids).get_indexer(key_load["grid_id"])
    found = row >= 0
    moment = key_load["moment"].to_numpy(int)[found]
    values[moment * len(grid_ids) + row[found]] = key_load["key_population"].to_numpy(float)[found]
    return values


def read_cases(conn: psycopg.Connection, config: RiskConfig, days: list[dt.date], grid_ids, counties) -> pd.DataFrame:
    """The placed cases that can count at the end of one of `days` (case_rows.sql)."""
    severity = read_severities(conn, config)
    params = {
        "first_t": min(days),
        "last_t": max(days),
        "grid_ids": grid_ids,
        "counties": counties,
        "categories": list(severity),
        "severities": list(severity.values()),
        "default_severity": config.severity["default"],
        "escalation_levels": list(config.escalation),
        "escalation_weights": list(config.escalation.values()),
        "window_days": config.window_days,
    }
    return copy_frame(conn, load_query("risk/case_rows"), params, CASE_TYPES)


def _key_weights(config: RiskConfig) -> dict:
    return {
        "kinds": list(config.key_person_kind),
        "kind_weights": list(config.key_person_kind.values()),
        "care_levels": list(config.key_person_care),
        "care_weights": list(config.key_person_care.values()),
    }


def read_severities(conn: psycopg.Connection, config: RiskConfig) -> dict[str, float]:
    """Category code -> how much one case counts: weights.toml's [severity] where it names the
    category, else the catalogue's severity; the categories with neither take the default."""
    catalogue = dict(conn.execute(load_query("risk/category_severity")).fetchall())
    return catalogue | {code: weight for code, weight in config.severity.items() if code != "default"}


def read_category_counts(conn: psycopg.Connection, as_of: dt.date, grid_ids=None, counties=None) -> pd.DataFrame:
    """(grid_id, category_code, cases): cases per category of each grid in the last 30 days."""
    params = {"as_of": as_of, "grid_ids": None if grid_ids is None else list(grid_ids), "counties": counties}
    return query_frame(conn, load_query("risk/grid_categories"), params)


def read_category_names(conn: psycopg.Connection) -> dict[str, dict[str, str]]:
    """Case category code -> {'zh': name, 'en': name}."""
    rows = conn.execute("SELECT code, name_zh, name_en FROM case_category").fetchall()
    return {code: {"zh": zh, "en": en} for code, zh, en in rows}


def read_weekly_counts(
    conn: psycopg.Connection, as_of: dt.date, weeks: int, row_grid_ids: np.ndarray, whole: bool = True, counties=None
) -> np.ndarray:
    """(grids, weeks) case counts, one row per id of `row_grid_ids` in that order; column 0
    the oldest week, the last column the latest. `whole`: those are every basic grid (the
    query then reads them all rather than a list)."""
    params = {"as_of": as_of, "weeks": weeks, "grid_ids": None if whole else [int(i) for i in row_grid_ids]}
    params["counties"] = counties
    frame = query_frame(conn, load_query("risk/grid_weeks"), params)
    counts = np.zeros((len(row_grid_ids), weeks))
    if frame.empty:
        return counts
    row = pd.Series(np.arange(len(row_grid_ids)), index=row_grid_ids)
    frame = frame[frame["grid_id"].isin(row.index) & frame["week"].between(0, weeks - 1)]
    counts[row[frame["grid_id"]].to_numpy(int), frame["week"].to_numpy(int)] = frame["cases"].to_numpy(float)
    return counts


def read_neighbours(conn: psycopg.Connection, grid_ids=None) -> pd.DataFrame:
    """Pairs (grid_id, neighbour_id) of adjacent basic grids, each pair once; or, given
    `grid_ids`, every neighbour of each of them (both ways where both are given)."""
    if grid_ids is None:
        return query_frame(conn, load_query("risk/grid_neighbours"), {"tolerance_deg": NEIGHBOUR_TOLERANCE_DEG})
    params = {"tolerance_deg": NEIGHBOUR_TOLERANCE_DEG, "grid_ids": [int(i) for i in grid_ids]}
    return query_frame(conn, load_query("risk/grid_neighbours_of"), params)


def read_units(conn: psycopg.Connection, county: str | None = None, grid_ids=None, orphans=False) -> pd.DataFrame:
    """Every basic grid (of one county, of the given ids, or outside any county) with the
    codes of its community, township, county and city."""
    params = {"county": county, "grid_ids": None if grid_ids is None else [int(i) for i in grid_ids]}
    params["orphans"] = orphans
    return query_frame(conn, load_query("risk/units"), params)
