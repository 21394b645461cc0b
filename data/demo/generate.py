"""Generate one fictional prefecture-level city, deterministic by (scale, seed, index, as_of).

Steps: terrain → Voronoi cells (micro-grids) → hierarchy → buildings → roads and addresses →
cases, key persons, key places, cameras, centres → projection to EPSG:4326.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyproj
import shapely

from data.demo import addresses, registry
from data.demo import buildings as building_gen
from data.demo import cases as case_gen
from data.demo.hierarchy import Hierarchy, build_hierarchy
from data.demo.names import CITY_NAMES, NamePool
from data.demo.partition import adjacency_graph
from data.demo.scales import Scale
from data.demo.terrain import make_terrain, sample_seeds, voronoi_cells

BASE_LON, BASE_LAT = 113.95, 33.55  # the Central Plains, inside China (GCJ-02 applies)
PROVINCE_STEP_DEG = (0.8, 0.65)  # spacing of the cities of a province-scale run
RIVER_HALF_WIDTH_M = 22
ARTERIAL_HALF_WIDTH_M = 12


@dataclass
class City:
    """All generated tables of one city, geometry in EPSG:4326 (after `project`)."""

    code: str
    name: str
    hierarchy: Hierarchy
    buildings: pd.DataFrame
    units: pd.DataFrame
    roads: pd.DataFrame
    water: pd.DataFrame
    hotspots: pd.DataFrame
    intensity: pd.DataFrame
    cases: pd.DataFrame
    key_persons: pd.DataFrame
    key_places: pd.DataFrame
    cameras: pd.DataFrame
    centres: pd.DataFrame
    timings: dict = field(default_factory=dict)


def generate_city(scale: Scale, seed: int, index: int, as_of: dt.date, progress=None) -> City:
    """Build city number `index` of a run; same arguments give the same city."""
    rng = np.random.default_rng([seed, index])
    names = NamePool(rng)
    code, name = f"41{18 + index:02d}00", CITY_NAMES[index % len(CITY_NAMES)] + "市"
    step = progress or (lambda label: None)
    terrain = make_terrain(scale, rng)
    seeds = sample_seeds(terrain, scale, rng)
    cells = voronoi_cells(seeds, terrain.outline)
    graph = adjacency_graph(seeds, cells, terrain.barriers)
    step("cells")
    hierarchy = build_hierarchy(code, name, terrain, seeds, cells, graph, scale, rng, names)
    step("hierarchy")
    water = _water(terrain, name[0] + "河", rng)
    blocked = shapely.union_all([*water["geom"], shapely.buffer(terrain.barriers, ARTERIAL_HALF_WIDTH_M)])
    exclusive = hierarchy.grids.set_index("code")["exclusive_type"].dropna()
    buildings, units = building_gen.place_buildings(hierarchy.cells, exclusive, blocked, rng)
    roads = addresses.named_roads(terrain, hierarchy, names)
    addresses.assign_addresses(buildings, hierarchy.cells, hierarchy, roads, name, names)
    step("buildings")
    hotspots = case_gen.plant_hotspots(buildings, scale.hotspots, rng)
    intensity = case_gen.grid_intensity(hierarchy.grids, hotspots, scale.cases, rng)
    cases = case_gen.generate_cases(intensity, hierarchy.grids, buildings, hotspots, as_of, rng)
    step("cases")
    persons = registry.key_persons(buildings, units, scale.key_persons, seed * 1000 + index, rng)
    places = registry.key_places(buildings, scale.key_places, names, rng)
    cams = registry.cameras(roads, places, buildings, scale.cameras, rng)
    centres = registry.centres(hierarchy.admin, buildings)
    city = City(
        code,
        name,
        hierarchy,
        buildings,
        units,
        roads,
        water,
        hotspots,
        intensity,
        cases,
        persons,
        places,
        cams,
        centres,
    )
    project(city, _projection(index))
    step("registry")
    return city


def _water(terrain, river_name: str, rng) -> pd.DataFrame:
    """The river as a band along its line, and two or three lakes in the urban core."""
    river = shapely.buffer(terrain.river, RIVER_HALF_WIDTH_M).intersection(terrain.outline)
    rows = [(river_name, "river", river)]
    core_bounds = np.array(terrain.core.bounds)
    for number in range(int(rng.integers(2, 4))):
        centre = rng.uniform(core_bounds[:2] * 0.6, core_bounds[2:] * 0.6)
        radius = rng.uniform(120, 260)
        lake = shapely.Point(centre).buffer(radius, quad_segs=6)
        rows.append((["东湖", "西湖", "月牙湖"][number], "lake", lake.difference(shapely.buffer(terrain.barriers, 30))))
    return pd.DataFrame(rows, columns=["name", "kind", "geom"])


def _projection(index: int) -> pyproj.Transformer:
    """Local transverse Mercator centred on the city → EPSG:4326 (lon, lat)."""
    column, row = index % 5, index // 5
    lon0 = BASE_LON + column * PROVINCE_STEP_DEG[0]
    lat0 = BASE_LAT + row * PROVINCE_STEP_DEG[1]
    local = pyproj.CRS.from_proj4(f"+proj=tmerc +lat_0={lat0} +lon_0={lon0} +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m")
    return pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)


def project(city: City, transformer: pyproj.Transformer) -> None:
    """Turn every metric geometry and x/y pair of the city into lon/lat."""

    def to_lonlat(geoms):
        return shapely.transform(
            np.asarray(geoms, dtype=object), lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )

    h = city.hierarchy
    h.admin["geom"] = to_lonlat(h.admin["geom"])
    h.grids["geom"] = to_lonlat(h.grids["geom"])
    h.cells["geom"] = to_lonlat(h.cells["geom"])
    city.buildings["footprint"] = to_lonlat(city.buildings["footprint"])
    city.roads["geom"] = to_lonlat(city.roads["geom"])
    city.water["geom"] = to_lonlat(city.water["geom"])
    for frame in (city.hotspots, city.cases, city.key_places, city.cameras, city.centres):
        frame["lon"], frame["lat"] = transformer.transform(frame["x"].to_numpy(), frame["y"].to_numpy())
