"""The validity gate for geometries: each row's shape checked, converted to WGS84, or refused
with its reason. Nothing is repaired unless asked (--repair), and then every repair is named.

Checked in order: empty or null, the wrong type for the layer (a LineString in a polygon
layer), coordinates that are not finite, coordinates off the earth once in WGS84 (with a
hint when longitude and latitude look swapped), and OGC validity (self-intersection, a hole
outside its shell …). Polygon layers store MultiPolygons; building footprints one Polygon.
"""

import re
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from geo.errors import UserError
from geo.imports.coordinates import require_degrees
from geo.imports.values import range_problem
from geo.shared.crs import system_name, to_wgs84

POLYGONS, FOOTPRINT, POINT = "polygons", "footprint", "point"
ACCEPTED = {
    POLYGONS: ("Polygon", "MultiPolygon"),
    FOOTPRINT: ("Polygon", "MultiPolygon"),
    POINT: ("Point",),
}
REASONS = [  # GEOS's validity reasons in a clerk's words
    (re.compile(r"(Ring )?Self-intersection\[(\S+) (\S+)\]"), "self-intersection near {1}, {2}"),
    (re.compile(r"Hole lies outside shell"), "a hole lies outside its shell"),
    (re.compile(r"Too few points"), "a ring with too few points"),
    (re.compile(r"Nested shells"), "one polygon part lies inside another"),
    (re.compile(r"Interior is disconnected"), "a hole cuts the polygon in two"),
]


@dataclass
class Shapes:
    """Per row: the WGS84 geometry (None when refused or absent), why it was refused, and
    what --repair did to it."""

    geometry: np.ndarray
    problems: list
    repaired: list


def check_geometries(geometry: np.ndarray, kind: str, crs: str | None, repair: bool = False) -> Shapes:
    """Check and convert `geometry` (shapely objects or None, in `crs`) for a layer of `kind`."""
    geometry = shapely.force_2d(np.array(geometry, dtype=object))  # heights are not kept (PolygonZ files)
    problems, repaired = [_shape_problem(g, kind) for g in geometry], [None] * len(geometry)
    usable = np.array([p is None for p in problems], dtype=bool)
    geometry[~usable] = None
    geometry[usable] = _to_wgs84(geometry[usable], crs)
    for i in np.flatnonzero(usable):
        problems[i] = _range_problem(geometry[i]) or _validity_problem(geometry[i])
        if problems[i] and repair and kind != POINT and not _range_problem(geometry[i]):
            geometry[i], repaired[i], problems[i] = _repaired(geometry[i], problems[i])
        if problems[i] is None:
            geometry[i], problems[i] = _as_stored(geometry[i], kind)
        if problems[i]:
            geometry[i] = None
    return Shapes(geometry, problems, repaired)


def geometry_problem(message: str, form: str) -> str:
    """Why GEOS could not build a geometry from its WKB or WKT, in a clerk's words."""
    if "closed" in message:
        return "ring not closed (first and last point differ; --repair closes it)"
    if "points" in message.lower():
        return "a ring with too few points"
    return f"unreadable geometry {form} ({message.split(':')[-1].strip()})"


def _shape_problem(geom, kind: str) -> str | None:
    if geom is None or shapely.is_empty(geom):
        return "empty or null geometry"
    if geom.geom_type not in ACCEPTED[kind]:
        wanted = "a point" if kind == POINT else "a polygon"
        return f"wrong geometry type: {geom.geom_type} where the layer needs {wanted}"
    coordinates = shapely.get_coordinates(geom)
    if not np.isfinite(coordinates).all():
        return "coordinate not finite (NaN or infinity)"
    return None


def _to_wgs84(geometry: np.ndarray, crs: str | None) -> np.ndarray:
    """The geometries converted from `crs` (any EPSG code, cgcs2000, gcj02, bd09; None:
    degrees are WGS84, anything else is refused with a hint to pass --crs)."""
    if len(geometry) == 0:
        return geometry
    system = crs_system(crs) if crs else "wgs84"
    if not system.startswith("epsg:"):  # degrees, said or assumed (GeoJSON without a crs says WGS84)
        xy = np.array([shapely.get_coordinates(g)[0] for g in geometry])
        require_degrees(xy[:, 0], xy[:, 1])
    if system == "wgs84":
        return geometry

    def convert(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], system))

    return shapely.transform(geometry, convert)


def crs_system(crs: str) -> str:
    """The system name (geo.shared.crs) of a CRS as --crs or a file gives it: 'gcj02',
    'EPSG:4547', or a WKT that pyproj can identify."""
    try:
        return system_name(crs)
    except UserError:
        pass
    try:
        code = pyproj.CRS.from_user_input(crs).to_epsg(min_confidence=70)
    except pyproj.exceptions.CRSError:
        code = None
    if code is None:
        raise UserError(f"coordinate system not recognised ({crs[:80]}…): pass --crs EPSG:N")
    return system_name(f"EPSG:{code}")


def _range_problem(geom) -> str | None:
    coordinates = shapely.get_coordinates(geom)
    lon, lat = coordinates[:, 0], coordinates[:, 1]
    bad = ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if not bad.any():
        return None
    i = np.flatnonzero(bad)[0]
    return range_problem(lon[i], lat[i])


def _validity_problem(geom) -> str | None:
    reason = shapely.is_valid_reason(geom)
    if reason == "Valid Geometry":
        return None
    for pattern, text in REASONS:
        match = pattern.search(reason)
        if match:
            return text.format(*match.groups())
    return f"invalid geometry ({reason})"


def _repaired(geom, problem: str):
    """(geometry, what was repaired, None), or (None, None, reason) when nothing polygonal is left."""
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    if fixed.is_empty or fixed.geom_type not in ("Polygon", "MultiPolygon"):
        return None, None, f"{problem}; --repair could not make a polygon of it"
    return fixed, f"repaired ({problem}) with make_valid", None


def _as_stored(geom, kind: str):
    """MultiPolygon for polygon layers, one Polygon for a footprint, the point for points."""
    if kind == POLYGONS and geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom]), None
    if kind == FOOTPRINT and geom.geom_type == "MultiPolygon":
        if len(geom.geoms) != 1:
            return None, f"wrong geometry type: a footprint is one polygon, this has {len(geom.geoms)} parts"
        return geom.geoms[0], None
    return geom, None
