"""Split a set of adjacent cells into k contiguous, roughly equal parts.

Each part is the set of cells closest (along the adjacency graph) to one of k seeds placed by
k-means, so every part is connected. Crossing the river or an arterial costs extra, so
boundaries prefer to run along them.
"""

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import Delaunay, cKDTree

from data.demo.terrain import GRID_SIZE_M

BARRIER_PENALTY = 6.0  # crossing a barrier costs as much as six ordinary steps
KMEANS_ROUNDS = 10


def adjacency_graph(seeds: np.ndarray, cells: np.ndarray, barriers) -> csr_matrix:
    """Weighted graph of cells that share an edge; weight = seed distance (× penalty)."""
    triangles = Delaunay(seeds).simplices
    edges = np.vstack([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
    edges = np.unique(np.sort(edges, axis=1), axis=0)
    edges = edges[shared_lengths(cells, edges) > 0.5]
    segments = shapely.linestrings(np.stack([seeds[edges[:, 0]], seeds[edges[:, 1]]], axis=1))
    shapely.prepare(barriers)
    crosses = shapely.intersects(barriers, segments)
    weight = np.hypot(*(seeds[edges[:, 0]] - seeds[edges[:, 1]]).T) * np.where(crosses, BARRIER_PENALTY, 1.0)
    n = len(seeds)
    matrix = coo_matrix((weight, (edges[:, 0], edges[:, 1])), shape=(n, n))
    return (matrix + matrix.T).tocsr()


def shared_lengths(cells: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Length of the border each pair of `edges` (cell indices, low first) shares.

    The cells are snapped to a centimetre grid (terrain.voronoi_cells), so a border two
    cells share is the same segments in both rings: matching segments by their snapped end
    points gives the lengths without an overlay per pair (25 s a city by intersection).
    """
    parts, part_cell = shapely.get_parts(cells, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    within_ring = ring_of[:-1] == ring_of[1:]
    start, end = coords[:-1][within_ring], coords[1:][within_ring]
    owner = part_cell[ring_part[ring_of[:-1][within_ring]]]
    segments = _segment_keys(start, end)
    order = np.lexsort(segments.T[::-1])
    segments, owner, length = segments[order], owner[order], np.hypot(*(start - end).T)[order]
    twice = np.flatnonzero(np.all(segments[1:] == segments[:-1], axis=1) & (owner[1:] != owner[:-1]))
    count = len(cells)
    pair = np.minimum(owner[twice], owner[twice + 1]).astype(np.int64) * count + np.maximum(
        owner[twice], owner[twice + 1]
    )
    if not len(pair):
        return np.zeros(len(edges))
    pairs, which = np.unique(pair, return_inverse=True)
    totals = np.bincount(which, weights=length[twice])
    wanted = edges[:, 0].astype(np.int64) * count + edges[:, 1]
    at = np.minimum(np.searchsorted(pairs, wanted), len(pairs) - 1)
    return np.where(pairs[at] == wanted, totals[at], 0.0)


def _segment_keys(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """(x0, y0, x1, y1) in centimetres, the lower end point first: one key per segment
    whichever way a ring runs along it."""
    a, b = np.round(start / GRID_SIZE_M).astype(np.int64), np.round(end / GRID_SIZE_M).astype(np.int64)
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    return np.column_stack([np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)])


def split(graph: csr_matrix, xy: np.ndarray, nodes: np.ndarray, parts: int, rng) -> np.ndarray:
    """Label each of `nodes` with a part number 0..parts-1; every part is connected.

    Parameters
    ----------
    graph : the whole adjacency graph.
    xy : (n, 2) positions of all cells.
    nodes : the indices of the cells to split (a connected region).
    parts : how many parts are wanted; fewer come back when the region is too small.

    Returns
    -------
    labels : int array aligned with `nodes`, numbered 0..k-1 in order of first appearance
    of each part's seed, so the numbering is deterministic.
    """
    if parts <= 1 or len(nodes) <= 1:
        return np.zeros(len(nodes), dtype=int)
    parts = min(parts, len(nodes))
    seeds = _kmeans_seeds(xy[nodes], parts, rng)
    return split_from(graph, xy, nodes, seeds)


def split_from(graph: csr_matrix, xy: np.ndarray, nodes: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Label `nodes` by the seed (a position in `nodes`) nearest along the graph."""
    sub = graph[nodes][:, nodes]
    _, _, sources = dijkstra(sub, directed=False, indices=seeds, min_only=True, return_predecessors=True)
    unreachable = sources < 0
    if unreachable.any():
        # Cells cut off inside this region (rare, at the city edge) join the nearest seed.
        _, nearest = cKDTree(xy[nodes][seeds]).query(xy[nodes][unreachable])
        sources[unreachable] = seeds[nearest]
    _, labels = np.unique(sources, return_inverse=True)
    return _renumber(labels)


def _kmeans_seeds(xy: np.ndarray, parts: int, rng) -> np.ndarray:
    """Indices of the cells nearest to k-means centres of `xy` (distinct)."""
    centres = xy[rng.choice(len(xy), size=parts, replace=False)]
    for _ in range(KMEANS_ROUNDS):
        _, label = cKDTree(centres).query(xy)
        counts = np.bincount(label, minlength=parts)
        for axis in (0, 1):
            sums = np.bincount(label, weights=xy[:, axis], minlength=parts)
            centres[:, axis] = np.where(counts > 0, sums / np.maximum(counts, 1), centres[:, axis])
    _, nearest = cKDTree(xy).query(centres)
    return np.unique(nearest)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number parts in order of their first cell, so labels do not depend on seed order."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(np.argsort(first))
    return order[labels]
