"""The planner's operations on a draft, each a function that changes a Draft in memory or
raises UserError with the reason it cannot be done.

Shared boundaries stay shared: a vertex is moved in every polygon that has it (the two grids
beside it, their parents, the micro-grids along it), which noding (geo/boundaries/noding.py)
made one exact coordinate. Ground that changes hands (buildings moved, an exclusive grid cut
out) leaves one grid and joins the other, and their parents up to the one they share.
"""

import numpy as np
import shapely
from shapely.ops import split

from geo.boundaries.codes import next_grid_code, next_micro_code, recode_problem
from geo.boundaries.draft import Draft, Grid, MicroGrid, as_multi
from geo.boundaries.features import OUTER_TOLERANCE_DEG
from geo.errors import UserError
from geo.shared.grid_kinds import EXCLUSIVE_TYPES

VERTEX_TOL_DEG = 1e-9  # noded vertices are identical; this only absorbs JSON round trips
MIN_AREA_M2 = 1.0  # below this a piece of ground is float noise
NAME_MAX = 60
MAX_POINTS = 1000  # a drawn line or polygon; more is not a planner's drawing


def move_vertex(draft: Draft, old: tuple[float, float], new: tuple[float, float]) -> int:
    """Move the vertex at `old` (lon, lat) to `new` in every grid and micro-grid that has it;
    return how many polygons moved. Refused when none has it, when it lies on the community's
    outer boundary (the editor shows that handle locked: the neighbouring community, which
    shares it, is not in the draft) or when a polygon would cross itself."""
    old, new = _lonlat(old), _lonlat(new)
    if shapely.dwithin(shapely.Point(old), draft.community.geom.boundary, OUTER_TOLERANCE_DEG):
        raise UserError(
            "this vertex is on the community's outer boundary, which moves only with the neighbouring community",
            zh="该顶点在社区外边界上，只能与相邻社区一同调整",
        )
    moved = 0
    for item in _items(draft):
        coords = shapely.get_coordinates(item.geom)
        hit = np.all(np.abs(coords - old) <= VERTEX_TOL_DEG, axis=1)
        if not hit.any():
            continue
        geom = shapely.transform(item.geom, lambda xy, hit=hit: np.where(hit[:, None], new, xy))
        if not shapely.is_valid(geom):
            raise UserError(
                f"moving this vertex there would make {_label(item)} cross itself",
                zh=f"顶点移到该处会使{_label(item, 'zh')}自相交",
            )
        item.geom = as_multi(geom)
        moved += 1
    if not moved:
        raise UserError("no grid has a vertex at this position", zh="该位置没有网格顶点")
    return moved


def move_edge(draft: Draft, a: tuple[float, float], b: tuple[float, float], delta: tuple[float, float]) -> int:
    """Shift the edge from vertex `a` to vertex `b` by `delta` (degrees of lon, lat) in every
    polygon that has those vertices."""
    a, b, delta = tuple(_lonlat(a)), tuple(_lonlat(b)), tuple(_lonlat(delta))
    if not _is_edge(draft, a, b):
        raise UserError(
            "these two vertices are not the ends of one boundary edge", zh="这两个顶点不是同一条边界边的两端"
        )
    shifted_a = (a[0] + delta[0], a[1] + delta[1])
    shifted_b = (b[0] + delta[0], b[1] + delta[1])
    return move_vertex(draft, a, shifted_a) + move_vertex(draft, b, shifted_b)


def split_grid(draft: Draft, code: str, line: list[tuple[float, float]], new_name: str | None = None) -> str:
    """Cut grid `code` in two along the drawn `line` (its ends may stop short of the boundary:
    they are extended to it); the larger part keeps the code, the other gets the next free one.
    Its micro-grids go with the part they lie in, or are cut along the same line. Returns the
    new grid's code."""
    grid = draft.grid(code)
    if grid.level == 1:
        raise UserError(
            "the community's top grid covers the whole community and cannot be split",
            zh="社区一级网格覆盖整个社区，不能拆分",
        )
    cutter = _reach_boundary(grid.geom, shapely.LineString(_lonlats(line, 2)))
    parts = sorted(split(grid.geom, cutter).geoms, key=lambda p: -draft.area_m2(p))
    parts = [p for p in parts if draft.area_m2(p) > MIN_AREA_M2]
    if len(parts) != 2:
        raise UserError(
            f"the line must cross grid {code} once, leaving two parts (it leaves {len(parts)})",
            zh=f"拆分线须穿过网格 {code} 一次、分成两块（现为 {len(parts)} 块）",
        )
    new_code = next_grid_code(draft, grid.parent_code, grid.level)
    draft.grids[new_code] = Grid(
        **{**vars(grid), "code": new_code, "base_id": None, "geom": as_multi(parts[1])},
    )
    draft.grids[new_code].name = _name(new_name) if new_name else f"{grid.name}（拆分）"
    grid.geom = as_multi(parts[0])
    _hand_over_contents(draft, code, new_code, parts[1])
    return new_code


def merge_grids(draft: Draft, keep: str, other: str) -> None:
    """Join grid `other` to its neighbour `keep`: one grid with `keep`'s code and name; the
    other's child grids and micro-grids move under it."""
    kept, gone = draft.grid(keep), draft.grid(other)
    if keep == other:
        raise UserError("choose two different grids", zh="请选择两个不同的网格")
    if (kept.level, kept.parent_code) != (gone.level, gone.parent_code):
        raise UserError(
            f"{keep} and {other} are not siblings (same level and parent): they cannot merge",
            zh=f"{keep} 与 {other} 不是同级同上级网格，不能合并",
        )
    if _shared_border_m(draft, kept.geom, gone.geom) <= 0:
        raise UserError(f"{keep} and {other} do not share a boundary", zh=f"{keep} 与 {other} 不相邻")
    kept.geom = as_multi(shapely.union(kept.geom, gone.geom))
    for child in draft.children(other):
        child.parent_code = keep
    for micro in draft.micro_grids_of(other):
        _recode_micro(draft, micro, keep)
    del draft.grids[other]


def remove_grid(draft: Draft, code: str, into: str | None = None) -> str:
    """Remove basic grid `code`: its ground joins `into`, or by default the sibling sharing
    the longest boundary with it. Returns the grid that took it."""
    grid = draft.grid(code)
    if not grid.is_basic:
        raise UserError(
            f"{code} holds other grids; remove or merge those first", zh=f"{code} 含有下级网格，请先删除或合并下级网格"
        )
    if into is None:
        siblings = [g for g in draft.grids.values() if g.parent_code == grid.parent_code and g.code != code]
        borders = {g.code: _shared_border_m(draft, g.geom, grid.geom) for g in siblings}
        into = max(borders, key=borders.get, default=None)
        if into is None or borders[into] <= 0:
            raise UserError(
                f"{code} has no neighbour under the same parent to take its ground",
                zh=f"{code} 在同一上级下没有相邻网格可以接收其范围",
            )
    merge_grids(draft, into, code)
    return into


def create_exclusive(draft: Draft, ring: list[tuple[float, float]], exclusive_type: str, name: str) -> str:
    """A new exclusive grid (专属网格: a school, hospital, park or business district) over the
    drawn polygon, cut out of the basic grids beneath it and kept inside the parent of the one
    it takes most from. Returns its code."""
    if exclusive_type not in EXCLUSIVE_TYPES:
        raise UserError(f"exclusive type must be one of {', '.join(EXCLUSIVE_TYPES)}", zh="专属网格类型无效")
    name = _name(name)
    drawn = as_multi(shapely.make_valid(shapely.Polygon(_lonlats(ring, 3))))
    taken = {g.code: draft.area_m2(shapely.intersection(g.geom, drawn)) for g in draft.basic_grids()}
    donor = max(taken, key=taken.get, default=None)
    if donor is None or taken[donor] <= MIN_AREA_M2:
        raise UserError(
            "the drawn area does not cover any grid of this community", zh="所画范围没有覆盖本社区的任何网格"
        )
    first = draft.grids[donor]
    parent_geom = draft.grids[first.parent_code].geom if first.parent_code else draft.community.geom
    area = as_multi(shapely.intersection(drawn, parent_geom))
    code = next_grid_code(draft, first.parent_code, first.level)
    for grid in draft.basic_grids():
        if draft.area_m2(shapely.intersection(grid.geom, area)) > MIN_AREA_M2:
            rest = as_multi(shapely.difference(grid.geom, area))
            if draft.area_m2(rest) <= MIN_AREA_M2:
                raise UserError(
                    f"the new grid would cover grid {grid.code} entirely: remove or merge that one instead",
                    zh=f"新网格将完全覆盖网格 {grid.code}，请改为删除或合并该网格",
                )
            grid.geom = rest
            _hand_over_contents(draft, grid.code, code, area)
    draft.grids[code] = Grid(
        code=code, base_id=None, name=name, level=first.level, is_basic=True, kind="exclusive",
        exclusive_type=exclusive_type, parent_code=first.parent_code, households=0, target_households=None,
        geom=area,
    )  # fmt: skip
    return code


def move_buildings(draft: Draft, building_ids: list[int], target: str) -> int:
    """Move the chosen buildings to the neighbouring basic grid `target`, with the ground of
    their micro-grids (the whole micro-grid when every building in it is chosen, else the part
    nearest the chosen ones). Returns how many buildings moved."""
    destination = draft.grid(target)
    if not destination.is_basic:
        raise UserError(f"{target} is not a basic grid", zh=f"{target} 不是基础网格")
    if (
        not isinstance(building_ids, (list, tuple))
        or not building_ids
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in building_ids)
    ):
        raise UserError("choose the buildings to move", zh="请选择要移动的楼栋")
    chosen = np.isin(draft.buildings.ids, list(building_ids))
    if chosen.sum() != len(set(building_ids)):
        raise UserError("some chosen buildings are not in this community", zh="部分所选楼栋不在本社区")
    by_micro = _buildings_by_micro_grid(draft, np.flatnonzero(chosen))
    for micro_code, rows in by_micro.items():
        micro = draft.micro_grids[micro_code]
        if micro.grid_code == target:
            continue
        region = _ground_of(draft, micro, rows)
        if _shared_border_m(draft, region, destination.geom) <= 0:
            raise UserError(
                f"the buildings of micro-grid {micro_code} do not border grid {target}",
                zh=f"微网格 {micro_code} 的楼栋与网格 {target} 不相邻",
            )
        _transfer(draft, region, micro.grid_code, target)
        if draft.area_m2(shapely.difference(micro.geom, region)) <= MIN_AREA_M2:
            _recode_micro(draft, micro, target)
        else:
            micro.geom = as_multi(shapely.difference(micro.geom, region))
            _add_micro(draft, micro, target, region)
    return int(chosen.sum())


def rename_grid(draft: Draft, code: str, name: str) -> None:
    draft.grid(code).name = _name(name)


def recode_grid(draft: Draft, code: str, new_code: str) -> None:
    """Give grid `code` the code `new_code`; its children and micro-grids follow."""
    grid = draft.grid(code)
    new_code = new_code.strip() if isinstance(new_code, str) else ""
    problem = recode_problem(draft, new_code)
    if problem:
        raise UserError(problem[0], zh=problem[1])
    if new_code in draft.grids or (new_code in draft.used_codes and new_code not in draft.base_codes):
        raise UserError(f"code {new_code} is already in use", zh=f"编码 {new_code} 已被使用")
    del draft.grids[code]
    grid.code = new_code
    draft.grids[new_code] = grid
    for child in draft.children(code):
        child.parent_code = new_code
    for micro in draft.micro_grids_of(code):
        _recode_micro(draft, micro, new_code)


# --- helpers -------------------------------------------------------------------------------


def _lonlat(value) -> np.ndarray:
    """A (lon, lat) pair of finite degrees, or a UserError."""
    try:
        point = np.asarray(value, dtype=float).reshape(2)
    except (TypeError, ValueError):
        raise UserError(f"not a position (lon, lat): {str(value)[:40]}", zh="不是有效的经纬度位置") from None
    if not (np.isfinite(point).all() and abs(point[0]) <= 180 and abs(point[1]) <= 90):
        raise UserError(f"not a position on Earth: {str(value)[:40]}", zh="经纬度超出范围")
    return point


def _lonlats(values, at_least: int) -> np.ndarray:
    """A drawn line or ring: between `at_least` and MAX_POINTS positions."""
    if not isinstance(values, (list, tuple, np.ndarray)) or not at_least <= len(values) <= MAX_POINTS:
        raise UserError(
            f"draw it with {at_least} to {MAX_POINTS} points", zh=f"请用 {at_least} 到 {MAX_POINTS} 个点绘制"
        )
    return np.array([_lonlat(value) for value in values])


def _items(draft: Draft) -> list:
    return list(draft.grids.values()) + list(draft.micro_grids.values())


def _label(item, language: str = "en") -> str:
    if language == "zh":
        return f"网格 {item.code} " if isinstance(item, Grid) else f"微网格 {item.code} "
    return f"grid {item.code}" if isinstance(item, Grid) else f"micro-grid {item.code}"


def _name(name: str | None) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > NAME_MAX:
        raise UserError(f"a name has 1 to {NAME_MAX} characters", zh=f"名称应为 1 到 {NAME_MAX} 个字")
    return name


def _is_edge(draft: Draft, a, b) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    for grid in draft.grids.values():
        for polygon in grid.geom.geoms:
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = np.asarray(ring.coords)
                at_a = np.all(np.abs(coords - a) <= VERTEX_TOL_DEG, axis=1)
                at_b = np.all(np.abs(coords - b) <= VERTEX_TOL_DEG, axis=1)
                if (at_a[:-1] & at_b[1:]).any() or (at_b[:-1] & at_a[1:]).any():
                    return True
    return False


def _reach_boundary(geom, line: shapely.LineString) -> shapely.LineString:
    """The line with each end that stops inside `geom` extended straight on to its boundary
    (and a hair beyond), so that a line drawn roughly across still cuts."""
    coords = np.asarray(line.coords, float)
    span = float(np.hypot(*(np.subtract(geom.bounds[2:], geom.bounds[:2]))))
    for end, inner in ((0, 1), (-1, -2)):
        point = coords[end]
        if not shapely.contains_xy(geom, *point):
            continue
        direction = point - coords[inner]
        length = float(np.hypot(*direction))
        if length == 0:
            continue
        ray = shapely.LineString([point, point + direction / length * span * 2])
        crossing = shapely.intersection(ray, geom.boundary)
        if crossing.is_empty:
            continue
        nearest = shapely.get_coordinates(crossing)
        hit = nearest[np.argmin(np.hypot(*(nearest - point).T))]
        coords[end] = hit + direction / length * span * 1e-4
    return shapely.LineString(coords)


def _shared_border_m(draft: Draft, a, b) -> float:
    """Length in metres of the boundary two shapes share."""
    common = shapely.intersection(shapely.boundary(a), shapely.boundary(b))
    if common.is_empty:
        return 0.0
    return float(shapely.length(draft.metric([common])[0]))


def _hand_over_contents(draft: Draft, source: str, target: str, region) -> None:
    """After `region` passed from grid `source` to `target`: child grids go by the larger part
    of their ground; micro-grids inside it move, micro-grids across it are cut."""
    for child in draft.children(source):
        inside = draft.area_m2(shapely.intersection(child.geom, region))
        if inside > draft.area_m2(child.geom) / 2:
            child.parent_code = target
    for micro in draft.micro_grids_of(source):
        inside = as_multi(shapely.intersection(micro.geom, region))
        if draft.area_m2(inside) <= MIN_AREA_M2:
            continue
        rest = as_multi(shapely.difference(micro.geom, region))
        if draft.area_m2(rest) <= MIN_AREA_M2:
            _recode_micro(draft, micro, target)
        else:
            micro.geom = rest
            _add_micro(draft, micro, target, inside)


def _transfer(draft: Draft, region, source: str, target: str) -> None:
    """`region` leaves grid `source` and its ancestors, and joins `target` and its ancestors,
    up to the ancestor they share."""
    source_chain, target_chain = _ancestors(draft, source), _ancestors(draft, target)
    shared = set(source_chain) & set(target_chain)
    for code in source_chain:
        if code not in shared:
            draft.grids[code].geom = as_multi(shapely.difference(draft.grids[code].geom, region))
    for code in target_chain:
        if code not in shared:
            draft.grids[code].geom = as_multi(shapely.union(draft.grids[code].geom, region))


def _ancestors(draft: Draft, code: str) -> list[str]:
    chain = []
    while code is not None and code in draft.grids:
        chain.append(code)
        code = draft.grids[code].parent_code
    return chain


def _recode_micro(draft: Draft, micro: MicroGrid, grid_code: str) -> None:
    """Micro-grid `micro` now belongs to `grid_code`: a code under that grid."""
    del draft.micro_grids[micro.code]
    micro.code = next_micro_code(draft, grid_code)
    micro.grid_code = grid_code
    draft.micro_grids[micro.code] = micro


def _add_micro(draft: Draft, like: MicroGrid, grid_code: str, geom) -> None:
    code = next_micro_code(draft, grid_code)
    draft.micro_grids[code] = MicroGrid(
        code=code, base_id=None, grid_code=grid_code, kind=like.kind, households=0, geom=as_multi(geom)
    )


def _buildings_by_micro_grid(draft: Draft, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Chosen building rows grouped by the draft micro-grid their point lies in."""
    codes = list(draft.micro_grids)
    tree = shapely.STRtree([draft.micro_grids[c].geom for c in codes])
    groups: dict[str, list[int]] = {}
    for row in rows:
        found = tree.query(draft.buildings.points[row], predicate="within")
        if not len(found):
            raise UserError(
                f"building {draft.buildings.codes[row]} lies in no micro-grid of this draft",
                zh=f"楼栋 {draft.buildings.codes[row]} 不在本草稿的任何微网格内",
            )
        groups.setdefault(codes[found[0]], []).append(row)
    return {code: np.array(found) for code, found in groups.items()}


def _ground_of(draft: Draft, micro: MicroGrid, chosen_rows: np.ndarray):
    """The part of the micro-grid that goes with the chosen buildings: all of it when they are
    all its buildings; else the cells (Voronoi, around each building's point) of the chosen
    ones, with their footprints whole and the others' footprints left out."""
    inside = np.flatnonzero(shapely.within(draft.buildings.points, micro.geom))
    others = np.setdiff1d(inside, chosen_rows)
    if not len(others):
        return micro.geom
    cells = shapely.voronoi_polygons(shapely.multipoints(draft.buildings.points[inside]), extend_to=micro.geom)
    chosen_points = draft.buildings.points[chosen_rows]
    mine = [cell for cell in cells.geoms if shapely.intersects(cell, chosen_points).any()]
    region = shapely.union_all([*mine, *draft.buildings.footprints[chosen_rows]])
    region = shapely.difference(region, shapely.union_all(draft.buildings.footprints[others]))
    return as_multi(shapely.intersection(region, micro.geom))
