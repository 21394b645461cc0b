"""Coordinate systems of reported points, converted to WGS84 (EPSG:4326).

GCJ-02 (高德, 腾讯 and phone map apps) and BD-09 (百度) are the obfuscated systems of Chinese
web maps; `prcoords` converts them, inverting the obfuscation iteratively to about 1 cm.
CGCS2000 (EPSG:4490) goes through pyproj; it differs from WGS84 by centimetres. Any other
EPSG system (a projected CGCS2000 zone, Web Mercator …) is named 'epsg:N' and goes through
pyproj too.
"""

import functools
import re

import numpy as np
import prcoords
import pyproj

from geo.errors import UserError

SYSTEMS = ("wgs84", "cgcs2000", "gcj02", "bd09")  # and any 'epsg:N'
ALIASES = {"epsg:4326": "wgs84", "epsg:4490": "cgcs2000", "gcj-02": "gcj02", "bd-09": "bd09"}
_CGCS2000 = pyproj.Transformer.from_crs("EPSG:4490", "EPSG:4326", always_xy=True)
CHINA = (72.004, 0.8293, 137.8347, 55.8271)  # lon/lat box outside which GCJ-02 = WGS84


def system_name(name: str) -> str:
    """The canonical name of a coordinate system ('GCJ-02' → 'gcj02'); UserError if unknown."""
    key = (name or "").strip().lower().replace(" ", "")
    key = ALIASES.get(key, key)
    if key in SYSTEMS:
        return key
    if re.fullmatch(r"epsg:\d+", key):
        _transformer(key)  # raises UserError for a code pyproj does not know
        return key
    raise UserError(f"unknown coordinate system {name!r}: use one of {', '.join(SYSTEMS)} or EPSG:N")


@functools.cache
def _transformer(system: str) -> pyproj.Transformer:
    try:
        return pyproj.Transformer.from_crs(system.upper(), "EPSG:4326", always_xy=True)
    except pyproj.exceptions.CRSError as error:
        raise UserError(f"unknown coordinate system {system!r}: {error}") from error


def to_wgs84(lon, lat, system: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitudes and latitudes of points given in `system` (arrays of equal length).

    >>> to_wgs84([116.41024449916938], [39.91640428150164], "gcj02")  # doctest: +ELLIPSIS
    (array([116.404...]), array([39.915...]))
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    system = system_name(system)
    if system == "wgs84":
        return lon.copy(), lat.copy()
    if system in ("cgcs2000",) or system.startswith("epsg:"):
        transformer = _CGCS2000 if system == "cgcs2000" else _transformer(system)
        x, y = transformer.transform(lon, lat, errcheck=False)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    inverse = prcoords.gcj_wgs_bored if system == "gcj02" else prcoords.bd_wgs_bored
    return _in_china_only(inverse, lon, lat)


def from_wgs84(lon, lat, system: str) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of `to_wgs84`: WGS84 points expressed in `system` (for tests and demos)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    system = system_name(system)
    if system == "wgs84":
        return lon.copy(), lat.copy()
    if system == "cgcs2000" or system.startswith("epsg:"):
        transformer = _CGCS2000 if system == "cgcs2000" else _transformer(system)
        x, y = transformer.transform(lon, lat, direction="INVERSE")
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    forward = prcoords.wgs_gcj if system == "gcj02" else prcoords.wgs_bd
    return _in_china_only(forward, lon, lat)


def to_wgs84_by_row(lon, lat, systems) -> tuple[np.ndarray, np.ndarray]:
    """Like `to_wgs84` with one system per point (NaN where the system is missing)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    systems = np.asarray(systems, dtype=object)
    out_lon, out_lat = np.full(len(lon), np.nan), np.full(len(lat), np.nan)
    for system in {s for s in systems if s}:
        rows = systems == system
        if rows.any():
            out_lon[rows], out_lat[rows] = to_wgs84(lon[rows], lat[rows], system)
    return out_lon, out_lat


def _in_china_only(convert, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The offsets apply inside China only (the box every implementation uses); a point
    outside it is the same in every system, and a nonsensical one (lat 90) is NaN, not an error."""
    out = np.column_stack([lon, lat]).astype(float)
    inside = (lon >= CHINA[0]) & (lon <= CHINA[2]) & (lat >= CHINA[1]) & (lat <= CHINA[3])
    for i in np.flatnonzero(inside):
        converted = convert(prcoords.Coords(lat[i], lon[i]))  # prcoords takes (lat, lon)
        out[i] = converted.lon, converted.lat
    return out[:, 0], out[:, 1]
