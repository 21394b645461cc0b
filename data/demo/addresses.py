"""Named roads and standard addresses (标准地址) of buildings.

Urban: 市 + 区 + road + number 号 + estate + building 栋, the estate being the grid sub-area
and the number taken from where the estate lies along its nearest named road.
Rural: 市 + 县 + 镇 + 村 + group 组 + house number 号, a group being one micro-grid.
"""

import numpy as np
import pandas as pd
import shapely

from data.demo.names import NamePool, chinese_ordinal

ARTERIAL_NAMES = [
    "人民路",
    "解放路",
    "建设路",
    "中原路",
    "文化路",
    "黄河路",
    "长江路",
    "胜利路",
    "迎宾大道",
    "滨河大道",
    "世纪大道",
    "工业大道",
    "环城路",
    "光明路",
    "朝阳路",
    "和平路",
]
MIN_STREET_LENGTH_M = 250
HOUSE_NUMBER_SPACING_M = 25
ADDRESS_COLUMNS = ["road", "house_number", "estate", "building_no", "standard_address"]


def named_roads(terrain, hierarchy, names: NamePool) -> pd.DataFrame:
    """Arterials plus local streets along urban community and sub-area boundaries, and rural
    roads along village boundaries. Columns: name, class, geom (metric)."""
    rows = []
    arterial_names = iter(ARTERIAL_NAMES)
    for road_class, line in terrain.roads:
        name = next(arterial_names, None) or names.road()
        rows += [(name, road_class, part) for part in shapely.get_parts(line)]
    for urban, road_class in ((True, "local"), (False, "rural")):
        for part in _streets_between(hierarchy, terrain.outline, urban):
            rows.append((names.road() if urban else None, road_class, part))
    return pd.DataFrame(rows, columns=["name", "class", "geom"])


def _streets_between(hierarchy, outline, urban: bool) -> list:
    """Shared edges between neighbouring areas, as simplified lines."""
    grids = hierarchy.grids
    units = (
        grids[(grids["level"] == 2) & grids["is_urban"]]
        if urban
        else hierarchy.admin[(hierarchy.admin["level"] == 4) & ~hierarchy.admin["is_urban"]]
    )
    edges = shapely.union_all(shapely.boundary(units["geom"].to_numpy()))
    edges = shapely.difference(edges, shapely.buffer(shapely.boundary(outline), 30))
    merged = shapely.line_merge(shapely.simplify(edges, 8))
    parts = shapely.get_parts(merged)
    return [part for part in parts if part.length >= MIN_STREET_LENGTH_M]


def assign_addresses(
    buildings: pd.DataFrame, cells: pd.DataFrame, hierarchy, roads: pd.DataFrame, city_name: str, names: NamePool
) -> None:
    """Fill road, house_number, estate, building_no and standard_address of every building."""
    admin = hierarchy.admin.set_index("code")
    cell_of = buildings["cell"].to_numpy()
    urban = cells["community_urban"].to_numpy()[cell_of]
    buildings["community_code"] = cells["community_code"].to_numpy()[cell_of]
    buildings["grid_code"] = cells["grid_code"].to_numpy()[cell_of]
    buildings["subarea_code"] = cells["subarea_code"].to_numpy()[cell_of]
    records: dict[int, tuple] = {}
    _urban_addresses(records, buildings[urban], hierarchy, roads, admin, city_name, names)
    _rural_addresses(records, buildings[~urban], cells, admin, city_name)
    table = pd.DataFrame.from_dict(records, orient="index", columns=ADDRESS_COLUMNS)
    for column in ADDRESS_COLUMNS:
        buildings[column] = table[column].reindex(buildings.index)


def _urban_addresses(records, urban_buildings, hierarchy, roads, admin, city_name, names: NamePool) -> None:
    named = roads[roads["name"].notna()].reset_index(drop=True)
    tree = shapely.STRtree(named["geom"].to_numpy())
    institutions = hierarchy.grids.set_index("code")["institution"].dropna()
    used_numbers: set[tuple[str, int]] = set()
    # An exclusive grid is one institution; other urban buildings group by sub-area estate.
    estate_key = np.where(
        urban_buildings["grid_code"].isin(institutions.index),
        urban_buildings["grid_code"],
        urban_buildings["subarea_code"],
    )
    for key, estate in urban_buildings.groupby(estate_key, sort=True):
        centre = shapely.centroid(shapely.multipolygons(estate["footprint"].to_numpy()))
        road_index = tree.nearest(centre)
        road = named.loc[road_index]
        number = _house_number(road["geom"], centre, road["name"], used_numbers)
        institution = key in institutions.index
        estate_name = institutions[key] if institution else names.estate()
        county = admin.loc[estate["community_code"].iloc[0][:6], "name"]
        order = _reading_order(estate["footprint"].to_numpy())
        for rank, index in enumerate(estate.index[order], start=1):
            building_no = f"{rank}号楼" if institution else f"{rank}栋"
            records[index] = (
                road["name"],
                f"{number}号",
                estate_name,
                building_no,
                f"{city_name}{county}{road['name']}{number}号{estate_name}{building_no}",
            )


def _house_number(line, point, road_name: str, used: set) -> int:
    """Odd numbers on the left of the road, even on the right, by distance along it."""
    along = line.project(point)
    ahead = line.interpolate(min(along + 1, line.length))
    here = line.interpolate(along)
    side = (ahead.x - here.x) * (point.y - here.y) - (ahead.y - here.y) * (point.x - here.x)
    number = 2 * int(along // HOUSE_NUMBER_SPACING_M) + (1 if side > 0 else 2)
    while (road_name, number) in used:
        number += 2
    used.add((road_name, number))
    return number


def _reading_order(footprints: np.ndarray) -> np.ndarray:
    """Buildings numbered row by row from the south-west, as estates usually are."""
    xy = shapely.get_coordinates(shapely.centroid(footprints))
    rows = np.round(xy[:, 1] / 30.0)
    return np.lexsort((xy[:, 0], rows))


def _rural_addresses(records, rural_buildings, cells, admin, city_name) -> None:
    # A villagers' group (村民小组) is one basic grid; houses are numbered within it.
    for grid_code, houses in rural_buildings.groupby("grid_code", sort=True):
        community = grid_code[:12]
        group = f"{chinese_ordinal(int(grid_code[-2:]))}组"
        village, town, county = (
            admin.loc[community, "name"],
            admin.loc[community[:9], "name"],
            admin.loc[community[:6], "name"],
        )
        order = _reading_order(houses["footprint"].to_numpy())
        for rank, index in enumerate(houses.index[order], start=1):
            records[index] = (
                None,
                f"{rank}号",
                f"{village}{group}",
                None,
                f"{city_name}{county}{town}{village}{group}{rank}号",
            )
