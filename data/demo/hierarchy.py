"""From cells to the governance hierarchy: counties, townships, communities, grids, micro-grids.

Every cell is one micro-grid; every higher unit is a union of whole cells, so grids tile their
community, communities their township and so on, with no gap and no overlap by construction.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from data.demo.names import PLEASANT, RURAL_COUNTIES, URBAN_DISTRICTS, NamePool, chinese_ordinal
from data.demo.partition import split, split_from
from data.demo.scales import Scale
from data.demo.terrain import Terrain

CELLS_PER_SUBAREA = 30
EXCLUSIVE_SUFFIX = "专属网格"
URBAN_HOUSEHOLDS = (200, 300)
RURAL_HOUSEHOLDS = (60, 150)
RURAL_MAX_HOUSEHOLDS = 150
EXCLUSIVE_MIX = {"school": 0.3, "hospital": 0.2, "business_district": 0.25, "industrial_park": 0.25}


@dataclass
class Hierarchy:
    admin: pd.DataFrame  # code, level, name, kind, parent_code, is_urban, geom
    grids: pd.DataFrame  # code, name, level, is_basic, kind, exclusive_type, community_code, ...
    cells: pd.DataFrame  # one row per micro-grid: code, grid_code, households, estate, geom, ...


def build_hierarchy(
    city_code: str,
    city_name: str,
    terrain: Terrain,
    seeds: np.ndarray,
    cells: np.ndarray,
    graph,
    scale: Scale,
    rng: np.random.Generator,
    names: NamePool,
) -> Hierarchy:
    """Partition the cells level by level and name and code every unit."""
    shapely.prepare(terrain.urban)
    frame = pd.DataFrame({"x": seeds[:, 0], "y": seeds[:, 1]})
    frame["urban_cell"] = shapely.contains_xy(terrain.urban, seeds[:, 0], seeds[:, 1])
    frame["geom"] = cells
    frame["county"] = _counties(frame, terrain, graph, seeds, scale, rng)
    _split_level(frame, "county", "township", graph, seeds, rng, lambda sub, county: _townships_in(county, scale))
    _split_level(
        frame, ["county", "township"], "community", graph, seeds, rng, lambda sub, _: _communities_in(sub, scale)
    )
    frame["community_urban"] = frame.groupby(["county", "township", "community"])["urban_cell"].transform("mean") > 0.5
    _split_level(
        frame,
        ["county", "township", "community"],
        "subarea",
        graph,
        seeds,
        rng,
        lambda sub, _: max(1, round(len(sub) / CELLS_PER_SUBAREA)) if sub["community_urban"].iloc[0] else 1,
    )
    _split_level(
        frame,
        ["county", "township", "community", "subarea"],
        "grid",
        graph,
        seeds,
        rng,
        lambda sub, _: max(1, round(len(sub) / scale.cells_per_grid)),
    )
    admin = _admin_units(frame, city_code, city_name, scale, names)
    grids = _grid_units(frame, admin, scale, rng, names)
    return Hierarchy(admin=admin, grids=grids, cells=frame)


def _counties(frame, terrain, graph, seeds, scale, rng) -> np.ndarray:
    """Urban districts split the core; rural counties grow from their county seats."""
    shapely.prepare(terrain.core)
    in_core = shapely.contains_xy(terrain.core, seeds[:, 0], seeds[:, 1])
    county = np.zeros(len(seeds), dtype=int)
    core_nodes = np.flatnonzero(in_core)
    county[core_nodes] = split(graph, seeds, core_nodes, scale.urban_districts, rng)
    rest = np.flatnonzero(~in_core)
    _, seat_cells = cKDTree(seeds[rest]).query(terrain.seat_points)
    county[rest] = scale.urban_districts + split_from(graph, seeds, rest, np.unique(seat_cells))
    return county


def _townships_in(county: int, scale: Scale) -> int:
    urban = county < scale.urban_districts
    return scale.townships_per_urban_district if urban else scale.townships_per_rural_county


def _communities_in(sub: pd.DataFrame, scale: Scale) -> int:
    per = scale.cells_per_community_urban if sub["urban_cell"].mean() > 0.5 else scale.cells_per_community_rural
    return max(1, round(len(sub) / per))


def _split_level(frame, parent_keys, child, graph, seeds, rng, parts_of) -> None:
    """Give every cell a `child` number inside its parent, parents taken in sorted order."""
    labels = np.zeros(len(frame), dtype=int)
    for key, sub in frame.groupby(parent_keys, sort=True):
        nodes = sub.index.to_numpy()
        parent = key[-1] if isinstance(key, tuple) else key
        labels[nodes] = split(graph, seeds, nodes, parts_of(sub, parent), rng)
    frame[child] = labels


def _admin_units(frame, city_code, city_name, scale, names: NamePool) -> pd.DataFrame:
    rows = [dict(code=city_code, level=1, name=city_name, kind="city", parent_code=None, is_urban=True, keys=())]
    county_names = iter(_county_names(scale, names))
    for county, by_county in frame.groupby("county"):
        urban = county < scale.urban_districts
        code = city_code[:4] + (f"{2 + county:02d}" if urban else f"{21 + county - scale.urban_districts:02d}")
        rows.append(
            dict(
                code=code,
                level=2,
                name=next(county_names),
                kind="district" if urban else "county",
                parent_code=city_code,
                is_urban=urban,
                keys=(county,),
            )
        )
        rows += _township_rows(code, county, by_county, names)
    admin = pd.DataFrame(rows)
    frame["community_code"] = _codes_for(frame, admin, 4)
    admin["geom"] = _dissolve_admin(frame, admin)
    return admin.drop(columns="keys")


def _township_rows(county_code, county, by_county, names: NamePool) -> list[dict]:
    rows = []
    streets = towns = 0
    for township, by_township in by_county.groupby("township"):
        urban = by_township["urban_cell"].mean() > 0.5
        streets, towns = streets + urban, towns + (not urban)
        code = county_code + (f"{streets:03d}" if urban else f"{100 + towns:03d}")
        rows.append(
            dict(
                code=code,
                level=3,
                name=names.street() if urban else names.town(),
                kind="street" if urban else "town",
                parent_code=county_code,
                is_urban=bool(urban),
                keys=(county, township),
            )
        )
        communities = villages = 0
        for community, by_community in by_township.groupby("community"):
            c_urban = bool(by_community["community_urban"].iloc[0])
            communities, villages = communities + c_urban, villages + (not c_urban)
            rows.append(
                dict(
                    code=code + (f"{communities:03d}" if c_urban else f"{200 + villages:03d}"),
                    level=4,
                    name=names.community() if c_urban else names.village(),
                    kind="community" if c_urban else "village",
                    parent_code=code,
                    is_urban=c_urban,
                    keys=(county, township, community),
                )
            )
    return rows


def _county_names(scale: Scale, names: NamePool) -> list[str]:
    urban = [names.unique(lambda: names.pick(URBAN_DISTRICTS)) + "区" for _ in range(scale.urban_districts)]
    rural = [names.unique(lambda: names.pick(RURAL_COUNTIES)) + "县" for _ in range(scale.rural_counties)]
    return urban + rural


def _codes_for(frame, admin, level: int) -> pd.Series:
    lookup = {row.keys: row.code for row in admin[admin["level"] == level].itertuples()}
    keys = ["county", "township", "community"][: level - 1]
    return pd.Series([lookup[tuple(k)] for k in frame[keys].itertuples(index=False)], index=frame.index)


def _dissolve_admin(frame, admin) -> list:
    geoms = []
    key_cols = ["county", "township", "community"]
    for row in admin.itertuples():
        if row.level == 1:
            mask = np.ones(len(frame), dtype=bool)
        else:
            mask = np.logical_and.reduce([frame[c].to_numpy() == v for c, v in zip(key_cols, row.keys)])
        geoms.append(dissolve(frame["geom"].to_numpy()[mask]))
    return geoms


def dissolve(parts: np.ndarray):
    """Union of cells that tile a region (fast coverage union, exact fallback)."""
    try:
        merged = shapely.coverage_union_all(parts)
    except shapely.errors.GEOSException:
        merged = None
    if merged is None or not shapely.is_valid(merged):
        merged = shapely.union_all(parts)
    return merged


def _grid_units(frame, admin, scale, rng, names: NamePool) -> pd.DataFrame:
    """Grids at three levels (urban: community, sub-area, basic) or two (rural)."""
    community_names = admin.set_index("code")["name"]
    rows = []
    # Codes per cell collected in arrays (cells are numbered 0..n-1): a pandas assignment per
    # grid cost seconds a city.
    grid_code, subarea_code = np.full(len(frame), "", dtype=object), np.full(len(frame), "", dtype=object)
    for community_code, by_community in frame.groupby("community_code", sort=True):
        urban = bool(by_community["community_urban"].iloc[0])
        name = community_names[community_code]
        top = community_code + "0000"
        basic_count = 0
        rows.append(_grid_row(top, f"{name}网格", 1, False, community_code, None, by_community))
        for s, (_, by_subarea) in enumerate(by_community.groupby("subarea"), start=1):
            parent = top
            if urban:
                parent = community_code + f"{s:02d}00"
                rows.append(
                    _grid_row(parent, f"{name}第{chinese_ordinal(s)}片区", 2, False, community_code, top, by_subarea)
                )
                subarea_code[by_subarea.index.to_numpy()] = parent
            for g, (_, by_grid) in enumerate(by_subarea.groupby("grid"), start=1):
                basic_count += 1
                # Urban: community + sub-area + grid; rural (two levels): community + 00 + grid.
                code = community_code + (f"{s:02d}{g:02d}" if urban else f"00{g:02d}")
                rows.append(
                    _grid_row(
                        code, f"{name}第{basic_count}网格", 3 if urban else 2, True, community_code, parent, by_grid
                    )
                )
                grid_code[by_grid.index.to_numpy()] = code
    frame["grid_code"], frame["subarea_code"] = grid_code, subarea_code
    grids = pd.DataFrame(rows)
    grids["is_urban"] = grids["community_code"].map(admin.set_index("code")["is_urban"])
    _mark_exclusive(grids, frame, scale, rng, names)
    _allocate_households(grids, frame, rng)
    frame["code"] = frame["grid_code"] + frame.groupby("grid_code").cumcount().add(1).map("{:03d}".format)
    frame["kind"] = np.where(frame["community_urban"], "building", "ten_households")
    return grids


def _grid_row(code, name, level, is_basic, community_code, parent_code, cells) -> dict:
    return dict(
        code=code,
        name=name,
        level=level,
        is_basic=is_basic,
        kind="regular",
        exclusive_type=None,
        community_code=community_code,
        parent_code=parent_code,
        geom=dissolve(cells["geom"].to_numpy()),
        cell_index=cells.index.to_numpy(),
    )


def _mark_exclusive(grids, frame, scale: Scale, rng, names: NamePool) -> None:
    """Turn some basic grids into exclusive grids (专属网格): schools, hospitals, parks, CBDs."""
    basic = grids[grids["is_basic"]]
    centre_distance = np.array([np.hypot(*shapely.get_coordinates(shapely.centroid(g))[0]) for g in basic["geom"]])
    counts = _exclusive_counts(scale.exclusive_grids)
    taken: set[int] = set()
    grids["institution"] = None  # the school, hospital, park or CBD an exclusive grid is
    for kind, count in counts.items():
        if kind == "business_district":
            pool = basic.index[basic["is_urban"].to_numpy() & (centre_distance < 0.35 * scale.urban_radius_m)]
        elif kind == "industrial_park":
            pool = basic.index[~basic["is_urban"].to_numpy() & (centre_distance < 0.75 * scale.radius_m)]
        else:
            pool = basic.index[basic["is_urban"].to_numpy()]
        pool = [i for i in pool if i not in taken]
        for index in rng.choice(pool, size=min(count, len(pool)), replace=False):
            taken.add(int(index))
            grids.loc[index, ["kind", "exclusive_type"]] = ["exclusive", kind]
            institution = _institution_name(kind, names)
            grids.loc[index, ["institution", "name"]] = [institution, institution + EXCLUSIVE_SUFFIX]


def _exclusive_counts(total: int) -> dict[str, int]:
    counts = {kind: int(round(total * share)) for kind, share in EXCLUSIVE_MIX.items()}
    counts["school"] += total - sum(counts.values())
    return counts


def _institution_name(kind: str, names: NamePool) -> str:
    suffix = {
        "school": ["中学", "小学", "实验学校", "职业技术学院"],
        "hospital": ["人民医院", "中医院", "妇幼保健院"],
        "business_district": ["商务区", "商业街区", "金融中心"],
        "industrial_park": ["工业园区", "产业园", "物流园"],
    }[kind]
    return names.unique(lambda: names.pick(PLEASANT) + names.pick(suffix))


def _allocate_households(grids, frame, rng) -> None:
    """Basic grids draw households in their range; cells share them; parents sum them up."""
    per_cell = np.zeros(len(frame), dtype=np.int64)
    per_grid = np.zeros(len(grids), dtype=np.int64)
    for position, (cells, kind, urban) in enumerate(zip(grids["cell_index"], grids["kind"], grids["is_urban"])):
        if not grids["is_basic"].iat[position] or kind == "exclusive":
            continue
        low, high = URBAN_HOUSEHOLDS if urban else RURAL_HOUSEHOLDS
        total = int(rng.integers(low, high + 1))
        share = rng.gamma(4.0, size=len(cells))
        extra = (
            rng.multinomial(total - len(cells), share / share.sum())
            if total > len(cells)
            else np.zeros(len(cells), int)
        )
        per_cell[cells] = 1 + extra if total > len(cells) else 1
        per_grid[position] = per_cell[cells].sum()
    parents = ~grids["is_basic"].to_numpy()
    per_grid[parents] = [per_cell[cells].sum() for cells in grids["cell_index"].to_numpy()[parents]]
    frame["households"] = per_cell
    grids["households"] = per_grid
    grids["households"] = grids["households"].astype(int)
    grids["target_households"] = [
        None if (not basic or kind == "exclusive") else (URBAN_HOUSEHOLDS if urban else (1, RURAL_MAX_HOUSEHOLDS))
        for basic, kind, urban in zip(grids["is_basic"], grids["kind"], grids["is_urban"])
    ]
