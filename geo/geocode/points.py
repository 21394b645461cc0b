"""Points → grid, micro-grid and building, all points at once (vectorised shapely).

The rules (README, "Geocoding"):
- A point belongs to the basic grid that covers it (boundary included). Where several do
  (a shared edge, or an exclusive grid drawn over a regular one), an exclusive grid wins,
  then the lowest code: every point gets exactly one grid, the same one every time.
- The micro-grid is the one of that grid covering the point (lowest code on a shared edge).
- The building is the one of that grid whose footprint covers the point (confidence 1.0);
  else the nearest building of that grid within `radius_m` (confidence 0.85 falling to 0.6
  at the radius); else none (0.7). Buildings of other grids are never taken, so a case's
  building, micro-grid and grid always nest.
- A point outside every grid is `outside`, with the nearest grid and the distance to it.
Holes and multipolygons are handled by the covers test itself.
"""

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from geo.geocode.layers import Layers

NONE = -1
FAR_M = 1_000_000  # beyond this from the projection's centre, distances go on the ellipsoid
_GEOD = pyproj.Geod(ellps="WGS84")
CONFIDENCE_IN_BUILDING = 1.0
CONFIDENCE_NEAR_BUILDING = (0.85, 0.6)  # at distance 0 and at the search radius
CONFIDENCE_NO_BUILDING = 0.7


@dataclass
class PointAssignment:
    """Per point: indexes into the layers (NONE when absent), distances and confidence."""

    grid: np.ndarray
    micro_grid: np.ndarray
    building: np.ndarray
    building_distance_m: np.ndarray
    nearest_grid: np.ndarray
    outside_distance_m: np.ndarray
    confidence: np.ndarray


def assign_points(layers: Layers, lon, lat, radius_m: float = 30.0, building=None) -> PointAssignment:
    """Assign WGS84 points (NaN = no point) to the layers.

    `building`, when given, holds a layer index per point that is already known (an address
    match); those points keep it and get confidence 1.0 for the building level.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    points = shapely.points(lon, lat)
    located = np.isfinite(lon) & np.isfinite(lat)
    grid = covering(layers.grids.geoms, points, located, _grid_rank(layers))
    micro = _covering_within_grid(layers, points, grid)
    known = np.full(len(points), NONE) if building is None else np.asarray(building)
    found, distance = _buildings(layers, points, grid, radius_m, known)
    nearest, outside_m = _nearest_grids(layers, points, located & (grid == NONE))
    return PointAssignment(
        grid=grid,
        micro_grid=micro,
        building=found,
        building_distance_m=distance,
        nearest_grid=nearest,
        outside_distance_m=outside_m,
        confidence=_confidence(found, distance, radius_m, grid),
    )


def _grid_rank(layers: Layers) -> np.ndarray:
    """Lower rank wins: exclusive grids first, then by code (codes arrive sorted)."""
    exclusive = layers.grids.extra["exclusive"]
    order = np.lexsort((layers.grids.codes.astype(str), ~exclusive))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def covering(polygons: np.ndarray, points: np.ndarray, located: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Index of the best-ranked polygon covering each point, NONE where none does."""
    result = np.full(len(points), NONE)
    if not len(polygons) or not located.any():
        return result
    subset = np.flatnonzero(located)
    # Each polygon is prepared once and tested against the points in its box: much faster
    # than testing each point against unprepared polygons.
    polygon_index, point_index = shapely.STRtree(points[subset]).query(polygons, predicate="covers")
    return _best_per_point(result, subset[point_index], polygon_index, rank[polygon_index])


def _best_per_point(result, point_index, candidate_index, rank) -> np.ndarray:
    order = np.lexsort((rank, point_index))
    point_index, candidate_index = point_index[order], candidate_index[order]
    first = np.ones(len(point_index), dtype=bool)
    first[1:] = point_index[1:] != point_index[:-1]
    result[point_index[first]] = candidate_index[first]
    return result


def _covering_within_grid(layers: Layers, points: np.ndarray, grid: np.ndarray) -> np.ndarray:
    micro = layers.micro_grids
    result = np.full(len(points), NONE)
    inside = np.flatnonzero(grid != NONE)
    if not len(micro) or not len(inside):
        return result
    micro_index, point_index = shapely.STRtree(points[inside]).query(micro.geoms, predicate="covers")
    point_index = inside[point_index]
    same_grid = micro.extra["grid_code"][micro_index] == layers.grids.codes[grid[point_index]]
    micro_index, point_index = micro_index[same_grid], point_index[same_grid]
    return _best_per_point(result, point_index, micro_index, micro_index)  # rows are sorted by code


def _buildings(layers, points, grid, radius_m, known) -> tuple[np.ndarray, np.ndarray]:
    """Building per point (NONE) and the distance to it in metres (0 inside the footprint)."""
    found, distance = known.copy(), np.where(known != NONE, 0.0, np.nan)
    buildings = layers.buildings
    if not len(buildings):
        return found, distance
    building_grid = _building_grids(layers)
    todo = np.flatnonzero((grid != NONE) & (found == NONE))
    index, point_index = shapely.STRtree(points[todo]).query(buildings.geoms, predicate="covers")
    point_index = todo[point_index]
    same = building_grid[index] == grid[point_index]
    found = _best_per_point(found, point_index[same], index[same], index[same])
    distance = np.where((found != NONE) & np.isnan(distance), 0.0, distance)
    todo = np.flatnonzero((grid != NONE) & (found == NONE))
    if len(todo):
        near, near_m = _nearest_building(layers, points[todo], grid[todo], building_grid, radius_m)
        found[todo], distance[todo] = near, near_m
    return found, distance


def _building_grids(layers: Layers) -> np.ndarray:
    """The grid of each building: the grid covering a point on its surface (same rules)."""
    buildings = layers.buildings
    if "grid" not in buildings.extra:
        inside = shapely.point_on_surface(buildings.geoms)
        located = np.ones(len(inside), dtype=bool)
        buildings.extra["grid"] = covering(layers.grids.geoms, inside, located, _grid_rank(layers))
    return buildings.extra["grid"]


def _nearest_building(layers, points, grid, building_grid, radius_m) -> tuple[np.ndarray, np.ndarray]:
    metric_points = layers.projection.forward(points)
    metric_buildings = layers.buildings.metric(layers.projection)
    point_index, index = shapely.STRtree(metric_buildings).query(metric_points, predicate="dwithin", distance=radius_m)
    same = building_grid[index] == grid[point_index]
    point_index, index = point_index[same], index[same]
    distance_m = shapely.distance(metric_points[point_index], metric_buildings[index])
    found = np.full(len(points), NONE)
    found_m = np.full(len(points), np.nan)
    order = np.lexsort((index, distance_m, point_index))  # nearest, then the lowest id
    point_index, index, distance_m = point_index[order], index[order], distance_m[order]
    first = np.ones(len(point_index), dtype=bool)
    first[1:] = point_index[1:] != point_index[:-1]
    found[point_index[first]] = index[first]
    found_m[point_index[first]] = distance_m[first]
    return found, found_m


def _nearest_grids(layers: Layers, points: np.ndarray, outside: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest grid and distance for points outside every grid: in the metric projection,
    or, for a point too far away for it (another continent), in degrees and on the spheroid."""
    nearest, distance_m = np.full(len(points), NONE), np.full(len(points), np.nan)
    todo = np.flatnonzero(outside)
    if not len(todo) or not len(layers.grids):
        return nearest, distance_m
    metric_points = layers.projection.forward(points[todo])
    near = np.isfinite(shapely.get_coordinates(metric_points)).all(axis=1)
    near &= shapely.distance(metric_points, shapely.Point(0, 0)) < FAR_M
    metric_grids = layers.grids.metric(layers.projection)
    rank = _grid_rank(layers)
    for subset, grids, located in ((near, metric_grids, metric_points), (~near, layers.grids.geoms, points[todo])):
        if not subset.any():
            continue
        (point_index, grid_index), _ = shapely.STRtree(grids).query_nearest(
            located[subset], return_distance=True, all_matches=True
        )
        result = _best_per_point(np.full(subset.sum(), NONE), point_index, grid_index, rank[grid_index])
        nearest[todo[subset]] = result
    distance_m[todo[near]] = shapely.distance(metric_points[near], metric_grids[nearest[todo[near]]])
    distance_m[todo[~near]] = _geodesic_m(points[todo[~near]], layers.grids.geoms[nearest[todo[~near]]])
    return nearest, distance_m


def _geodesic_m(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Distance on the WGS84 ellipsoid from each point to the closest point of its polygon."""
    if not len(points):
        return np.zeros(0)
    lines = shapely.shortest_line(points, polygons)
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    _, _, metres = _GEOD.inv(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
    return np.asarray(metres)


def _confidence(building, distance_m, radius_m, grid) -> np.ndarray:
    high, low = CONFIDENCE_NEAR_BUILDING
    near = high - (high - low) * np.clip(np.nan_to_num(distance_m) / radius_m, 0, 1)
    confidence = np.where(building == NONE, CONFIDENCE_NO_BUILDING, near)
    confidence = np.where((building != NONE) & (np.nan_to_num(distance_m) == 0), CONFIDENCE_IN_BUILDING, confidence)
    return np.where(grid == NONE, 0.0, confidence)
