"""The land before the boundaries: outline, urban areas, river, arterial roads, cell seeds.

Everything here is in a local metric frame (metres east/north of the city centre); the
loader projects to EPSG:4326 at the end.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Polygon

from data.demo.scales import Scale

SEAT_SHARE_OF_URBAN_CELLS = 0.04  # each county seat holds this share of the urban cells
POLYGON, MULTIPOLYGON = 3, 6  # shapely type ids
GRID_SIZE_M = 0.01
CELLS_PER_VILLAGE = 12  # rural cells cluster around one village centre per 12


@dataclass
class Terrain:
    outline: Polygon
    core: Polygon  # the central urban area
    seats: list[Polygon]  # county-seat towns (urban too)
    seat_points: np.ndarray  # (n_rural_counties, 2)
    river: LineString
    roads: list[tuple[str, LineString]]  # (class, line) of arterials and highways

    @cached_property
    def urban(self):
        return shapely.union_all([self.core, *self.seats])

    @cached_property
    def barriers(self):
        """Lines that boundaries prefer to follow: the river and the arterial roads."""
        return shapely.union_all([self.river, *(line for _, line in self.roads)])


def make_terrain(scale: Scale, rng: np.random.Generator) -> Terrain:
    """Draw the outline, urban areas, river and arterial network of one city."""
    outline = _wobbly_disc((0, 0), scale.radius_m, rng, amplitude=0.14)
    core = _wobbly_disc((0, 0), scale.urban_radius_m, rng, amplitude=0.12)
    angles = np.linspace(0, 2 * np.pi, scale.rural_counties, endpoint=False) + rng.uniform(0, 2 * np.pi)
    distance = scale.radius_m * rng.uniform(0.55, 0.68, scale.rural_counties)
    seat_points = np.column_stack([np.cos(angles) * distance, np.sin(angles) * distance])
    seat_radius = scale.urban_radius_m * 0.28
    seats = [_wobbly_disc(tuple(p), seat_radius, rng, amplitude=0.15).intersection(outline) for p in seat_points]
    river = _river(scale, rng)
    roads = _arterials(scale, seat_points, outline, rng)
    return Terrain(outline, core.intersection(outline), seats, seat_points, river, roads)


def sample_seeds(terrain: Terrain, scale: Scale, rng: np.random.Generator) -> np.ndarray:
    """Cell seeds: dense in the core, denser near villages, none on the barriers.

    Seeds are mirrored in pairs across the river and arterials, so the Voronoi edges between
    cells, and hence every boundary built from cells, run along them.
    """
    seat_cells = int(scale.urban_cells * SEAT_SHARE_OF_URBAN_CELLS)
    core_cells = scale.urban_cells - seat_cells * len(terrain.seats)
    core_pts = _sample(terrain.core, core_cells, lambda xy: _core_density(xy, scale), rng)
    seat_pts = [_sample(seat, seat_cells, lambda xy: np.ones(len(xy)), rng) for seat in terrain.seats]
    rural_area = terrain.outline.difference(terrain.urban)
    villages = _sample(rural_area, scale.rural_cells // CELLS_PER_VILLAGE, lambda xy: np.ones(len(xy)), rng)
    rural_pts = _sample(rural_area, scale.rural_cells, lambda xy: _village_density(xy, villages), rng)
    seeds = np.vstack([core_pts, *seat_pts, rural_pts])
    seeds = _relax(seeds, terrain.outline)
    return _mirror_across(seeds, terrain.barriers, terrain.outline)


def _core_density(xy: np.ndarray, scale: Scale) -> np.ndarray:
    radius = np.hypot(xy[:, 0], xy[:, 1])
    return np.exp(-radius / (0.45 * scale.urban_radius_m))


def _village_density(xy: np.ndarray, villages: np.ndarray) -> np.ndarray:
    distance, _ = cKDTree(villages).query(xy)
    return 0.25 + np.exp(-((distance / 500.0) ** 2))


def _sample(area, count: int, density, rng: np.random.Generator) -> np.ndarray:
    """`count` points inside `area` with probability proportional to `density(xy)`."""
    minx, miny, maxx, maxy = area.bounds
    shapely.prepare(area)
    chosen = []
    total = 0
    while total < count:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(max(4 * count, 1000), 2))
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        weight = density(xy)
        keep = rng.uniform(0, weight.max() if len(weight) else 1, len(xy)) < weight
        chosen.append(xy[keep])
        total += int(keep.sum())
    return np.vstack(chosen)[:count]


def _relax(seeds: np.ndarray, outline: Polygon) -> np.ndarray:
    """One Lloyd step: move each seed to its cell's centroid, for rounder cells."""
    return shapely.get_coordinates(shapely.centroid(voronoi_cells(seeds, outline)))


def voronoi_cells(seeds: np.ndarray, outline: Polygon) -> np.ndarray:
    """Voronoi cells of `seeds`, in seed order, clipped to `outline`."""
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=outline.buffer(1000).envelope, ordered=True
    )
    cells = shapely.make_valid(np.asarray(shapely.get_parts(diagram)))
    shapely.prepare(outline)
    # Only cells at the edge need clipping, and the odd one make_valid left a collection.
    edge = ~shapely.contains_properly(outline, cells) | (shapely.get_type_id(cells) != POLYGON)
    cells[edge] = shapely.intersection(cells[edge], outline)
    mixed = ~np.isin(shapely.get_type_id(cells), [POLYGON, MULTIPOLYGON])
    cells[mixed] = [polygonal_part(cell) for cell in cells[mixed]]
    # Snap to a centimetre grid: shared vertices stay identical, and slivers thinner than
    # that (where many barriers meet) collapse instead of turning invalid once in degrees.
    return shapely.set_precision(cells, GRID_SIZE_M)


def polygonal_part(geometry):
    """The polygons of a geometry collection (clipping can leave stray lines or points)."""
    parts = shapely.get_parts(geometry)
    polygons = [part for part in parts if shapely.get_type_id(part) == POLYGON]
    return shapely.multipolygons(polygons) if len(polygons) > 1 else polygons[0]


def _mirror_across(seeds: np.ndarray, barriers, outline: Polygon) -> np.ndarray:
    tree = cKDTree(seeds)
    pairs = []
    for line in shapely.get_parts(shapely.line_merge(barriers)):
        pairs.append(_pairs_along(line, tree))
    pairs = np.vstack(pairs)
    spacing = _local_spacing(tree, seeds)
    near = shapely.distance(shapely.points(seeds), barriers) < 0.75 * spacing
    mirrored = np.vstack([seeds[~near], pairs])
    mirrored = mirrored[shapely.contains_xy(outline, mirrored[:, 0], mirrored[:, 1])]
    return _drop_crowded(mirrored)


def _drop_crowded(seeds: np.ndarray) -> np.ndarray:
    """Remove seeds much closer to a neighbour than the local spacing (where barriers cross);
    near-duplicate seeds make degenerate Voronoi cells."""
    tree = cKDTree(seeds)
    spacing = _local_spacing(tree, seeds)
    distance, neighbour = tree.query(seeds, k=2)
    drop = np.zeros(len(seeds), dtype=bool)
    for i in np.flatnonzero(distance[:, 1] < 0.35 * spacing):
        if not drop[neighbour[i, 1]]:
            drop[i] = True
    return seeds[~drop]


def _pairs_along(line: LineString, tree: cKDTree) -> np.ndarray:
    """Points at ±spacing/2 on both sides of `line`, one pair per spacing step."""
    pairs = []
    position = 0.0
    while position < line.length:
        here = line.interpolate(position)
        ahead = line.interpolate(min(position + 5.0, line.length))
        behind = line.interpolate(max(position - 5.0, 0.0))
        spacing = float(_local_spacing(tree, np.array([[here.x, here.y]]))[0])
        dx, dy = ahead.x - behind.x, ahead.y - behind.y
        norm = np.hypot(dx, dy) or 1.0
        nx, ny = -dy / norm, dx / norm
        half = spacing / 2
        pairs.append([(here.x + nx * half, here.y + ny * half), (here.x - nx * half, here.y - ny * half)])
        position += spacing
    return np.asarray(pairs).reshape(-1, 2)


def _local_spacing(tree: cKDTree, xy: np.ndarray) -> np.ndarray:
    distance, _ = tree.query(xy, k=7)
    return distance[:, 1:].mean(axis=1)


def _wobbly_disc(centre, radius: float, rng: np.random.Generator, amplitude: float) -> Polygon:
    theta = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    wobble = np.ones_like(theta)
    for harmonic in (2, 3, 5, 7):
        wobble += amplitude / harmonic * 1.6 * np.sin(harmonic * theta + rng.uniform(0, 2 * np.pi))
    r = radius * wobble
    return Polygon(np.column_stack([centre[0] + r * np.cos(theta), centre[1] + r * np.sin(theta)]))


def _river(scale: Scale, rng: np.random.Generator) -> LineString:
    """A meandering river crossing the city, passing just beside the centre."""
    x = np.linspace(-1.3 * scale.radius_m, 1.3 * scale.radius_m, 400)
    wavelength = scale.radius_m / rng.uniform(1.5, 2.5)
    y = 0.12 * scale.urban_radius_m * np.sin(x / wavelength * 2 * np.pi + rng.uniform(0, 6))
    y += 0.04 * scale.radius_m * np.sin(x / (wavelength * 2.7) + rng.uniform(0, 6))
    y += 0.18 * scale.urban_radius_m
    angle = rng.uniform(0, np.pi)
    xr = x * np.cos(angle) - y * np.sin(angle)
    yr = x * np.sin(angle) + y * np.cos(angle)
    return LineString(np.column_stack([xr, yr]))


def _arterials(scale: Scale, seats: np.ndarray, outline: Polygon, rng) -> list[tuple[str, LineString]]:
    """Two ring roads, radial avenues out of the core, highways to the county seats."""
    roads = []
    for share in (0.4, 0.85):
        ring = _wobbly_disc((0, 0), scale.urban_radius_m * share, rng, amplitude=0.05).exterior
        roads.append(("arterial", LineString(ring.coords)))
    for angle in np.linspace(0, 2 * np.pi, 6, endpoint=False) + rng.uniform(0, 1):
        end = np.array([np.cos(angle), np.sin(angle)]) * scale.urban_radius_m * 1.05
        roads.append(("arterial", _wiggly_line(np.zeros(2), end, rng, 0.03)))
    for index, seat in enumerate(seats):
        roads.append(("expressway" if index % 2 == 0 else "secondary", _wiggly_line(np.zeros(2), seat, rng, 0.04)))
        neighbour = seats[(index + 1) % len(seats)]
        if len(seats) > 2:
            roads.append(("secondary", _wiggly_line(seat, neighbour, rng, 0.05)))
    return [
        (kind, line.intersection(outline.buffer(-50)))
        for kind, line in roads
        if not line.intersection(outline.buffer(-50)).is_empty
    ]


def _wiggly_line(start: np.ndarray, end: np.ndarray, rng, amplitude: float) -> LineString:
    t = np.linspace(0, 1, 40)
    direction = end - start
    normal = np.array([-direction[1], direction[0]])
    bend = amplitude * np.sin(np.pi * t * rng.uniform(1, 3) + rng.uniform(0, 6)) * np.sin(np.pi * t)
    points = start + np.outer(t, direction) + np.outer(bend, normal)
    return LineString(points)
