"""Coordinate systems of reported points, converted to WGS84 (EPSG:4326).

GCJ-02 (高德, 腾讯 and phone map apps) and BD-09 (百度) are the obfuscated systems of Chinese
web maps; converted with prcoords' formulas (its constants, on numpy arrays), inverting the
obfuscation iteratively to about 1 cm.
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
ALIASES = {
    "epsg:4326": "wgs84", "wgs-84": "wgs84", "gps": "wgs84",
    "epsg:4490": "cgcs2000", "cgcs-2000": "cgcs2000", "2000国家大地坐标系": "cgcs2000", "国家2000": "cgcs2000",
    "gcj-02": "gcj02", "gcj": "gcj02", "火星坐标": "gcj02", "火星": "gcj02", "国测局": "gcj02", "高德": "gcj02",
    "腾讯": "gcj02", "bd-09": "bd09", "bd09ll": "bd09", "百度": "bd09",
}  # fmt: skip
_CGCS2000 = pyproj.Transformer.from_crs("EPSG:4490", "EPSG:4326", always_xy=True)
INVERSE_EPS, INVERSE_STEPS = 1e-12, 20
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
    return _in_china_only(_TO_WGS84[system], lon, lat)


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
    return _in_china_only(_FROM_WGS84[system], lon, lat)


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
    out_lon, out_lat = lon.astype(float), lat.astype(float)
    inside = (lon >= CHINA[0]) & (lon <= CHINA[2]) & (lat >= CHINA[1]) & (lat <= CHINA[3])
    out_lon[inside], out_lat[inside] = convert(lon[inside], lat[inside])
    return out_lon, out_lat


# prcoords' formulas on numpy arrays: the same results, a hundred times faster on a file of
# points. GCJ-02 adds a smooth distortion in metres, spread over Krasovsky's ellipsoid; BD-09
# rotates and shifts GCJ-02. Inverses iterate the forward formula as prcoords' "bored" ones.


def _wgs_gcj(lon, lat):
    x, y = lon - 105, lat - 35
    waves = 2 * np.sin(x * 6 * np.pi) + 2 * np.sin(x * 2 * np.pi)
    d_lat_m = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
               + (waves + 2 * np.sin(y * np.pi) + 4 * np.sin(y / 3 * np.pi)
                  + 16 * np.sin(y / 12 * np.pi) + 32 * np.sin(y / 30 * np.pi)) * 20 / 3)  # fmt: skip
    d_lon_m = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
               + (waves + 2 * np.sin(x * np.pi) + 4 * np.sin(x / 3 * np.pi)
                  + 15 * np.sin(x / 12 * np.pi) + 30 * np.sin(x / 30 * np.pi)) * 20 / 3)  # fmt: skip
    rad = np.radians(lat)
    magic = 1 - prcoords.GCJ_EE * np.sin(rad) ** 2
    lat_arc = np.radians(prcoords.GCJ_A * (1 - prcoords.GCJ_EE) / magic**1.5)
    lon_arc = np.radians(prcoords.GCJ_A * np.cos(rad) / np.sqrt(magic))
    return lon + d_lon_m / lon_arc, lat + d_lat_m / lat_arc


def _gcj_bd(lon, lat):
    r = np.hypot(lon, lat) + 0.00002 * np.sin(np.radians(lat) * 3000)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(np.radians(lon) * 3000)
    return r * np.cos(theta) + prcoords.BD_DLON, r * np.sin(theta) + prcoords.BD_DLAT


def _bd_gcj(lon, lat):
    x, y = lon - prcoords.BD_DLON, lat - prcoords.BD_DLAT
    r = np.hypot(x, y) - 0.00002 * np.sin(np.radians(y) * 3000)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(np.radians(x) * 3000)
    return r * np.cos(theta), r * np.sin(theta)


def _wgs_bd(lon, lat):
    return _gcj_bd(*_wgs_gcj(lon, lat))


def _inverse(forward):
    """The inverse of `forward` by fixed-point iteration from a first guess, until a step is
    below INVERSE_EPS degrees (≈ 0.1 µm; prcoords stops at 1e-5°, ≈ 1 m steps)."""

    def inverse(lon, lat):
        guess_lon, guess_lat = forward(lon, lat)
        out_lon, out_lat = lon - (guess_lon - lon), lat - (guess_lat - lat)
        active = np.ones(len(lon), dtype=bool)
        for _ in range(INVERSE_STEPS):
            f_lon, f_lat = forward(out_lon[active], out_lat[active])
            d_lon, d_lat = f_lon - lon[active], f_lat - lat[active]
            out_lon[active] -= d_lon
            out_lat[active] -= d_lat
            still = np.hypot(d_lon, d_lat) > INVERSE_EPS
            active[np.flatnonzero(active)[~still]] = False
            if not active.any():
                break
        return out_lon, out_lat

    return inverse


_TO_WGS84 = {"gcj02": _inverse(_wgs_gcj), "bd09": _inverse(_wgs_bd)}
_FROM_WGS84 = {"gcj02": _wgs_gcj, "bd09": _wgs_bd}
