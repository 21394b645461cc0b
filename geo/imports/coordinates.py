"""Longitude/latitude columns of a table, read row by row into WGS84, with what went wrong.

Shared by imports and `geocode --file`: the system comes from a 坐标系 column, else from
--crs, else WGS84; a row whose coordinates cannot be used gets a reason instead. A file
that names no system and whose coordinates are mostly not degrees is refused: they are in
some projected system, and only the person who made the file knows which.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import UserError
from geo.imports.values import number_problem, parse_float, range_problem
from geo.shared.crs import SYSTEMS, system_name, to_wgs84_by_row


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


def read_coordinates(frame: pd.DataFrame, columns: dict, crs: str | None, check_degrees: bool = True) -> Coordinates:
    """The coordinates of every row; `columns` maps lon, lat and crs to the frame's columns.
    `check_degrees=False`: the caller tested that the file's coordinates are degrees (over
    more rows than `frame`'s, see require_degrees)."""
    found = raw_coordinates(frame, columns, crs)
    raw_lon, raw_lat, systems, problems = found.raw_lon, found.raw_lat, found.systems, found.problems
    if columns["lon"] is None or columns["lat"] is None:
        return found
    if check_degrees and columns["crs"] is None and not systems[0].startswith("epsg:"):  # degrees, said or assumed
        require_degrees(raw_lon, raw_lat)
    lon, lat = to_wgs84_by_row(raw_lon, raw_lat, systems)
    for i in np.flatnonzero(np.isfinite(raw_lon)):
        problems[i] = range_problem(lon[i], lat[i], systems[i])
        if problems[i]:
            lon[i] = lat[i] = raw_lon[i] = raw_lat[i] = np.nan
    return Coordinates(lon, lat, raw_lon, raw_lat, systems, problems)


def raw_coordinates(frame: pd.DataFrame, columns: dict, crs: str | None) -> Coordinates:
    """The coordinates of every row as given (lon and lat still NaN), their systems, and
    the reason a row's are not numbers or name an unknown system."""
    count = len(frame)
    raw_lon, raw_lat = np.full(count, np.nan), np.full(count, np.nan)
    systems = np.full(count, system_name(crs) if crs else "wgs84", dtype=object)
    problems = [None] * count
    if columns["lon"] is None or columns["lat"] is None:
        return Coordinates(raw_lon.copy(), raw_lat.copy(), raw_lon, raw_lat, systems, problems)
    crs_cells = frame[columns["crs"]] if columns["crs"] is not None else [""] * count
    for i, (x, y, name) in enumerate(zip(frame[columns["lon"]], frame[columns["lat"]], crs_cells)):
        problems[i] = number_problem(x, y) or _system_problem(systems, i, str(name).strip())
        if problems[i] is None and str(x).strip():
            raw_lon[i], raw_lat[i] = parse_float(x), parse_float(y)
    return Coordinates(np.full(count, np.nan), np.full(count, np.nan), raw_lon, raw_lat, systems, problems)


def require_degrees(x: np.ndarray, y: np.ndarray) -> None:
    """Refuse coordinates of no named system when most of them cannot be degrees: both values
    beyond ±180 and ±90 (metres of a projected system; a swapped pair or one absurd value is
    a problem of its row)."""
    finite = np.isfinite(x) & np.isfinite(y)
    beyond = finite & (np.abs(x) > 180) & (np.abs(y) > 90)
    if beyond.sum() and beyond.sum() * 2 > finite.sum():
        i = np.flatnonzero(beyond)[0]
        raise UserError(
            f"{beyond.sum():,} of {finite.sum():,} coordinates are not degrees (e.g. {x[i]:g}, {y[i]:g}) and the "
            "file names no projected coordinate system: pass --crs EPSG:N with the system they are in "
            "(e.g. EPSG:4547 for CGCS2000 3-degree zone 114°E, EPSG:3857 for Web Mercator)"
        )


def _system_problem(systems: np.ndarray, row: int, name: str) -> str | None:
    """Set the row's system from its cell (kept when empty); the reason when unknown."""
    if not name:
        return None
    try:
        systems[row] = system_name(name)
    except UserError:
        return f"unknown coordinate system {name!r} (use {', '.join(SYSTEMS)} or EPSG:N)"
    return None
