"""Building footprints inside micro-grids, their units and households.

Urban micro-grids hold one or two apartment buildings lined up in south-facing rows; rural
ones hold a few village houses clustered together; exclusive grids hold schools, hospitals,
offices or factories. Every footprint lies inside its micro-grid, so no building is ever
split between two grids.
"""

import numpy as np
import pandas as pd
import shapely

FALLBACK = -1  # marks a cell whose only building is the fallback square
LATTICE = 5  # candidate positions per axis around a cell's anchor
INNER_MARGIN_M = 4.0  # keep footprints this far from the micro-grid edge
URBAN_HOUSEHOLDS_PER_BUILDING = 80
RURAL_HOUSEHOLDS_PER_HOUSE = 6
TOWER_SHARE = 0.25
WALKUP_HOUSEHOLDS_PER_UNIT = 14  # 7 floors x 2 flats
TOWER_HOUSEHOLDS_PER_UNIT = 132  # 33 floors x 4 flats
NON_RESIDENTIAL = {  # exclusive type -> (kind, length m, width m, floors range)
    "school": ("school", 54, 16, (3, 5)),
    "hospital": ("hospital", 48, 20, (6, 16)),
    "business_district": ("office", 36, 26, (12, 32)),
    "industrial_park": ("industrial", 72, 32, (1, 3)),
}


def place_buildings(cells: pd.DataFrame, exclusive_type: pd.Series, blocked, rng) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Buildings (with metric footprints) and their units for all micro-grids.

    Parameters
    ----------
    cells : micro-grids with code, grid_code, subarea_code, community_urban, households, geom.
    exclusive_type : exclusive type per grid code (missing for regular grids).
    blocked : area where nothing is built (water, arterial roads).

    Returns
    -------
    (buildings, units): buildings carry micro_grid_code, kind, floors, unit_count,
    households, footprint; units carry building index, unit_no, floors, households.
    """
    plans = _plan(cells, exclusive_type, rng)
    footprints, placed = _footprints(cells, plans, blocked, rng)
    plans["footprint"] = footprints
    plans = _fold_unplaced(plans, placed).reset_index(drop=True)
    units = _units(plans, rng)
    return plans, units


def _plan(cells: pd.DataFrame, exclusive_type: pd.Series, rng) -> pd.DataFrame:
    """How many buildings of which kind and size each micro-grid gets."""
    kinds = cells["grid_code"].map(exclusive_type)
    urban = cells["community_urban"].to_numpy()
    households = cells["households"].to_numpy()
    per = np.where(urban, URBAN_HOUSEHOLDS_PER_BUILDING, RURAL_HOUSEHOLDS_PER_HOUSE)
    count = np.maximum(1, np.ceil(households / per)).astype(int)
    count[kinds.notna().to_numpy()] = 1
    rows = np.repeat(np.arange(len(cells)), count)
    plan = pd.DataFrame({"cell": rows, "micro_grid_code": cells["code"].to_numpy()[rows]})
    plan["households"] = _split_households(households, count, rng)
    plan["kind"] = np.where(urban[rows], "residential", "village_house")
    exclusive = kinds.to_numpy()[rows]
    for exclusive_kind, (kind, *_size) in NON_RESIDENTIAL.items():
        mask = exclusive == exclusive_kind
        plan.loc[mask, "kind"] = kind
        plan.loc[mask, "households"] = 0
    _sizes(plan, rng)
    return plan


def _split_households(households: np.ndarray, count: np.ndarray, rng) -> np.ndarray:
    """Split each cell's households over its buildings, at least one each where possible."""
    out = []
    for total, n in zip(households, count):
        if n == 1:
            out.append([total])
            continue
        base = np.full(n, total // n)
        base[: total % n] += 1
        out.append(base)
    return np.concatenate([np.asarray(o, dtype=int) for o in out])


def _sizes(plan: pd.DataFrame, rng) -> None:
    """Footprint length/width (m) and floors by kind: walk-ups, towers, houses, institutions."""
    n = len(plan)
    walkup_units = np.clip(np.ceil(plan["households"].to_numpy() / WALKUP_HOUSEHOLDS_PER_UNIT), 1, 6)
    tower = rng.random(n) < TOWER_SHARE
    plan["length_m"] = np.where(tower, 24.0, 13.0 * walkup_units)
    plan["width_m"] = np.where(tower, 17.0, 11.0)
    plan["per_floor"] = np.where(tower, 4, 2)
    rural = plan["kind"].to_numpy() == "village_house"
    plan.loc[rural, "length_m"] = rng.uniform(11, 18, rural.sum())
    plan.loc[rural, "width_m"] = rng.uniform(9, 13, rural.sum())
    plan.loc[rural, "per_floor"] = 1
    plan["floors"] = 1
    for kind, length, width, floors in NON_RESIDENTIAL.values():
        mask = plan["kind"].to_numpy() == kind
        plan.loc[mask, "length_m"] = length * rng.uniform(0.8, 1.2, mask.sum())
        plan.loc[mask, "width_m"] = width * rng.uniform(0.8, 1.2, mask.sum())
        plan.loc[mask, "floors"] = rng.integers(floors[0], floors[1] + 1, mask.sum())


def _footprints(cells: pd.DataFrame, plan: pd.DataFrame, blocked, rng) -> tuple[np.ndarray, np.ndarray]:
    """Rectangles on a rotated lattice around each cell's anchor, nearest first, inside the cell."""
    geoms = cells["geom"].to_numpy()
    inner = shapely.buffer(geoms, -INNER_MARGIN_M)
    crossing = shapely.intersects(inner, blocked)
    inner[crossing] = shapely.difference(inner[crossing], blocked)
    inner[shapely.is_empty(inner)] = shapely.buffer(geoms[shapely.is_empty(inner)], -INNER_MARGIN_M)
    shapely.prepare(inner)
    anchors = shapely.get_coordinates(shapely.point_on_surface(geoms))
    angle = np.deg2rad(rng.normal(0, 8, len(cells)))
    order = plan.groupby("cell").cumcount().to_numpy()
    cell = plan["cell"].to_numpy()
    length, width = plan["length_m"].to_numpy(), plan["width_m"].to_numpy()
    offsets = _lattice_offsets()
    candidates = np.empty((len(plan), len(offsets), 4, 2))
    # One lattice per cell (sized by its largest building), so footprints never overlap.
    step = np.column_stack(
        [
            pd.Series(length + 8.0).groupby(cell).transform("max").to_numpy(),
            pd.Series(width * 2.2).groupby(cell).transform("max").to_numpy(),
        ]
    )
    for k, (i, j) in enumerate(offsets):
        centre_local = np.column_stack([i * step[:, 0], j * step[:, 1]])
        candidates[:, k] = _rectangle(centre_local, length, width)
    candidates = _rotate_translate(candidates, angle[cell], anchors[cell])
    inside = _corners_inside(inner[cell], candidates)
    return _choose(candidates, inside, cell, order, inner)


def _lattice_offsets() -> list[tuple[int, int]]:
    half = LATTICE // 2
    offsets = [(i, j) for i in range(-half, half + 1) for j in range(-half, half + 1)]
    return sorted(offsets, key=lambda o: (o[0] ** 2 + (1.5 * o[1]) ** 2, o))


def _rectangle(centre: np.ndarray, length: np.ndarray, width: np.ndarray) -> np.ndarray:
    dx, dy = length / 2, width / 2
    corners = np.stack([[-dx, -dy], [dx, -dy], [dx, dy], [-dx, dy]], axis=1)  # (2, 4, n)
    return np.transpose(corners, (2, 1, 0)) + centre[:, None, :]


def _rotate_translate(points: np.ndarray, angle: np.ndarray, origin: np.ndarray) -> np.ndarray:
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    x, y = points[..., 0], points[..., 1]
    rotated = np.stack([x * cos - y * sin, x * sin + y * cos], axis=-1)
    return rotated + origin[:, None, None, :]


def _corners_inside(inner: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    n, k = candidates.shape[:2]
    geoms = np.repeat(inner, k * 4)
    flat = candidates.reshape(-1, 2)
    return shapely.contains_xy(geoms, flat[:, 0], flat[:, 1]).reshape(n, k, 4).all(axis=2)


def _choose(candidates, inside, cell, order, inner) -> tuple[np.ndarray, np.ndarray]:
    """For each building the first fitting lattice slot not yet taken in its cell;
    a small square at worst for a cell's first building, none for the others."""
    footprints = np.empty(len(cell), dtype=object)
    placed = np.ones(len(cell), dtype=bool)
    taken: dict[int, set[int]] = {}
    for b in range(len(cell)):
        used = taken.setdefault(int(cell[b]), set())
        free = [slot for slot in np.flatnonzero(inside[b]) if slot not in used]
        if free and FALLBACK not in used:
            used.add(free[0])
            footprints[b] = shapely.polygons(candidates[b, free[0]])
        elif order[b] == 0:
            used.add(FALLBACK)  # the square sits anywhere: nothing else goes in this cell
            footprints[b] = _fallback_square(inner[cell[b]])
        else:
            placed[b] = False
    return footprints, placed


def _fallback_square(inner):
    """A small footprint at the point deepest inside a cell too tight for the lattice."""
    circle = shapely.maximum_inscribed_circle(inner)
    centre = shapely.get_coordinates(circle)[0]
    half = max(2.0, min(6.0, 0.6 * shapely.length(circle)))
    return shapely.box(centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half)


def _fold_unplaced(plans: pd.DataFrame, placed: np.ndarray) -> pd.DataFrame:
    """Buildings that did not fit hand their households to the cell's first building
    (always placed), so no household is lost."""
    lost = plans.loc[~placed].groupby("cell")["households"].sum()
    first = plans.index[plans.groupby("cell").cumcount().to_numpy() == 0]
    first_of_cell = pd.Series(first, index=plans.loc[first, "cell"].to_numpy())
    plans.loc[first_of_cell[lost.index].to_numpy(), "households"] += lost.to_numpy()
    return plans.loc[placed]


def _units(plan: pd.DataFrame, rng) -> pd.DataFrame:
    """Units of each residential building with households spread evenly; floors follow
    from households per floor (apartments) or are 1–3 (village houses)."""
    households = plan["households"].to_numpy()
    residential = np.isin(plan["kind"].to_numpy(), ["residential", "village_house"])
    per_unit_cap = np.where(plan["per_floor"].to_numpy() >= 4, TOWER_HOUSEHOLDS_PER_UNIT, WALKUP_HOUSEHOLDS_PER_UNIT)
    units = np.where(residential, np.clip(np.ceil(households / per_unit_cap), 1, 6), 0).astype(int)
    units[plan["kind"].to_numpy() == "village_house"] = 1
    building = np.repeat(np.arange(len(plan)), units)
    unit_no = np.arange(len(building)) - np.repeat(np.cumsum(units) - units, units) + 1
    base, extra = np.divmod(households[building], units[building])
    unit_households = base + (unit_no <= extra)
    per_floor = plan["per_floor"].to_numpy()[building]
    floors = np.maximum(1, np.ceil(unit_households / per_floor)).astype(int)
    rural = plan["kind"].to_numpy()[building] == "village_house"
    floors[rural] = rng.integers(1, 4, rural.sum())
    frame = pd.DataFrame({"building": building, "unit_no": unit_no, "floors": floors, "households": unit_households})
    tallest = frame.groupby("building")["floors"].max()
    plan["floors"] = tallest.reindex(np.arange(len(plan))).fillna(plan["floors"]).astype(int).to_numpy()
    plan["unit_count"] = units
    return frame
