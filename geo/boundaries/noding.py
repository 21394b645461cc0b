"""Shared vertices made exact, so that a vertex two grids share is one coordinate that an edit
moves in both.

Boundary files seldom agree to the last digit: a neighbour's vertex may lie a few centimetres
off, or on the other grid's edge without being a vertex of it (a T-junction). Each polygon is
snapped, in turn, to the vertices of the polygons around it (GEOS inserts a vertex into a
segment that passes within the tolerance, and moves a vertex onto one that lies within it).
Taken in turn, a later polygon snaps onto the already snapped earlier ones, so all end on one
coordinate.
"""

import numpy as np
import shapely

from geo.boundaries.draft import Grid, MicroGrid, as_multi

SNAP_DEG = 1e-7  # about a centimetre: closer than that, two vertices are one
# A polygon that snapping would change by more than this keeps its shape: snapping is there to
# make shared vertices one, not to move ground (a long curved edge snapped a centimetre over
# its whole length would shift metres of it, and the planner would see faults not of his doing).
MAX_DRIFT_M2 = 0.5
M_PER_DEG = 111_320.0


def node(grids: dict[str, Grid], micro_grids: dict[str, MicroGrid]) -> tuple[dict, dict]:
    """The same grids and micro-grids with their shared vertices made identical. A polygon that
    snapping would make invalid keeps its shape (validation then reports what is wrong)."""
    items = list(grids.values()) + list(micro_grids.values())
    if not items:
        return grids, micro_grids
    geoms = np.array([item.geom for item in items], dtype=object)
    tree = shapely.STRtree(geoms)
    for index, item in enumerate(items):
        near = [i for i in tree.query(shapely.buffer(shapely.envelope(geoms[index]), SNAP_DEG)) if i != index]
        if not near:
            continue
        vertices = np.unique(np.concatenate([shapely.get_coordinates(geoms[i]) for i in near]), axis=0)
        snapped = shapely.snap(geoms[index], shapely.multipoints(vertices), SNAP_DEG)
        if shapely.is_valid(snapped) and not snapped.is_empty and _drift_m2(geoms[index], snapped) <= MAX_DRIFT_M2:
            geoms[index] = as_multi(snapped)
            item.geom = geoms[index]
    return grids, micro_grids


def _drift_m2(before, after) -> float:
    """Area in m² (near enough, from degrees at the polygon's latitude) between two shapes."""
    changed = shapely.area(shapely.symmetric_difference(before, after))
    latitude = shapely.get_y(shapely.centroid(before))
    return float(changed * M_PER_DEG**2 * np.cos(np.radians(latitude)))
