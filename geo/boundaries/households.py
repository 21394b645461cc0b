"""Households follow the buildings: after an edit, a grid or micro-grid whose ground changed
gains the households of the buildings that came in and loses those of the buildings that
left (a building counts where its point on the surface lies, as the geocoder places it).

Counted as a change rather than afresh, a grid whose registered count differs from the sum of
its buildings (households without a mapped building) keeps the difference.
"""

import numpy as np
import shapely

from geo.boundaries.draft import Draft


def recount_households(before: Draft, after: Draft) -> None:
    """Update the households of every grid and micro-grid of `after` whose ground differs from
    `before` (new ones count their buildings)."""
    buildings = after.buildings
    if not len(buildings):
        return
    tree = shapely.STRtree(buildings.points)
    for layer, earlier in ((after.grids, before.grids), (after.micro_grids, before.micro_grids)):
        for item in layer.values():
            old = _base_geom(earlier, item)
            if old is not None and shapely.equals_exact(old, item.geom, 0):
                continue
            gained = _households_in(tree, buildings.households, item.geom)
            lost = 0 if old is None else _households_in(tree, buildings.households, old)
            start = 0 if old is None else _base_households(earlier, item)
            item.households = max(0, int(start + gained - lost))


def _base_geom(earlier: dict, item):
    """The same grid before the edit: by code, or for a recoded one by its stored row."""
    match = _earlier(earlier, item)
    return None if match is None else match.geom


def _base_households(earlier: dict, item) -> int:
    match = _earlier(earlier, item)
    return 0 if match is None else match.households


def _earlier(earlier: dict, item):
    if item.code in earlier:
        return earlier[item.code]
    if item.base_id is not None:
        for candidate in earlier.values():
            if candidate.base_id == item.base_id:
                return candidate
    return None


def _households_in(tree: shapely.STRtree, households: np.ndarray, geom) -> int:
    inside = tree.query(geom, predicate="contains")
    return int(households[inside].sum())
