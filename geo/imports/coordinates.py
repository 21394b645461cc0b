"""Longitude/latitude columns of a table, read row by row into WGS84, with what went wrong.

Shared by imports and `geocode --file`: the system comes from a 坐标系 column, else from
--crs, else WGS84; a row whose coordinates cannot be used gets a reason instead.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import UserError
from geo.geocode.crs import SYSTEMS, system_name, to_wgs84_by_row
from geo.imports.values import coordinate_problem, parse_float


@dataclass
class Coordinates:
    """Per row: WGS84 lon/lat (NaN when none or unusable), the values as given and their
    system, and the reason they cannot be used (None when they can, or are absent)."""

    lon: np.ndarray
    lat: np.ndarray
    raw_lon: np.ndarray
    raw_lat: np.ndarray
    systems: np.ndarray
    problems: list


def read_coordinates(frame: pd.DataFrame, columns: dict, crs: str | None) -> Coordinates:
    """The coordinates of every row; `columns` maps lon, lat and crs to the frame's columns."""
    count = len(frame)
    raw_lon, raw_lat = np.full(count, np.nan), np.full(count, np.nan)
    systems = np.full(count, system_name(crs) if crs else "wgs84", dtype=object)
    problems = [None] * count
    if columns["lon"] is None or columns["lat"] is None:
        return Coordinates(raw_lon.copy(), raw_lat.copy(), raw_lon, raw_lat, systems, problems)
    crs_cells = frame[columns["crs"]] if columns["crs"] is not None else [""] * count
    for i, (x, y, name) in enumerate(zip(frame[columns["lon"]], frame[columns["lat"]], crs_cells)):
        problems[i] = coordinate_problem(x, y) or _system_problem(systems, i, str(name).strip())
        if problems[i] is None and str(x).strip():
            raw_lon[i], raw_lat[i] = parse_float(x), parse_float(y)
    lon, lat = to_wgs84_by_row(raw_lon, raw_lat, systems)
    return Coordinates(lon, lat, raw_lon, raw_lat, systems, problems)


def _system_problem(systems: np.ndarray, row: int, name: str) -> str | None:
    """Set the row's system from its cell (kept when empty); the reason when unknown."""
    if not name:
        return None
    try:
        systems[row] = system_name(name)
    except UserError:
        return f"unknown coordinate system {name!r} (use {', '.join(SYSTEMS)})"
    return None
