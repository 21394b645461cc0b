"""What the boundary editor draws, as GeoJSON (EPSG:4326, [lon, lat]): a draft's grids,
micro-grids, buildings and community outline, the problems validation found, the handles
of the selected grid (its vertices and the midpoints of its edges), the grids of another
moment, and the list of communities to pick from.

Pure functions over a Draft (geo/boundaries/draft.py), except `communities`, which reads the
database. Handles keep the vertex's exact coordinates in their properties: the browser's
map rounds positions, and a vertex is found again by its exact coordinates
(geo/boundaries/edits.py `move_vertex`).
"""

import zlib

import numpy as np
import shapely

from geo.boundaries.draft import Buildings, Community, Draft
from geo.db.connection import load_query

EMPTY = {"type": "FeatureCollection", "features": []}
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#ff7f0e")
LABEL_DIGITS = 7  # a vertex's label: 7 decimals of a degree is about a centimetre
OUTER_TOLERANCE_DEG = 1e-7  # a handle this close to the community's outline lies on it (about 1 cm)


def communities(conn) -> list[dict]:
    """Every community (admin level 4) that has grids: code, name, township (its parent's
    name), for the editor's picker, ordered by code.

    >>> communities(conn)[0]  # doctest: +SKIP
    {'code': '411802001001', 'name': '泰和街社区', 'township': '…街道'}
    """
    rows = conn.execute(load_query("boundaries/ui_communities")).fetchall()
    return [{"code": code, "name": name, "township": township} for code, name, township in rows]


def collection(features: list[dict]) -> dict:
    """A FeatureCollection of `features`."""
    return {"type": "FeatureCollection", "features": features}


def feature(geom, properties: dict) -> dict:
    """One GeoJSON Feature of a shapely geometry (None geometry when `geom` is None)."""
    geometry = None if geom is None or geom.is_empty else shapely.geometry.mapping(geom)
    return {"type": "Feature", "geometry": _plain(geometry), "properties": properties}


def grid_features(draft: Draft) -> dict:
    """The draft's grids: properties code, name, level, is_basic, kind, exclusive_type,
    parent_code, households and colour (one of PALETTE, from the code: see `colours_of`). Top levels first, so that the
    basic grids lie above their parents on the map."""
    ordered = sorted(draft.grids.values(), key=lambda g: (g.level, g.code))
    colours = colours_of(draft.grids)
    features = []
    for grid in ordered:
        properties = {
            "code": grid.code,
            "name": grid.name,
            "level": grid.level,
            "is_basic": grid.is_basic,
            "kind": grid.kind,
            "exclusive_type": grid.exclusive_type,
            "parent_code": grid.parent_code,
            "households": int(grid.households),
            "colour": colours[grid.code],
        }
        features.append(feature(grid.geom, properties))
    return collection(features)


def micro_grid_features(draft: Draft) -> dict:
    """The draft's micro-grids: properties code, grid_code, kind, households."""
    return collection(
        [
            feature(m.geom, {"code": m.code, "grid_code": m.grid_code, "kind": m.kind, "households": int(m.households)})
            for m in sorted(draft.micro_grids.values(), key=lambda m: m.code)
        ]
    )


def building_features(b: Buildings) -> dict:
    """Building footprints (a draft's `buildings`): properties id, code, households."""
    return collection(
        [
            feature(b.footprints[i], {"id": int(b.ids[i]), "code": str(b.codes[i]), "households": int(b.households[i])})
            for i in range(len(b))
        ]
    )


def community_feature(c: Community) -> dict:
    """A community's outline (a draft's `community`): properties code, name."""
    return collection([feature(c.geom, {"code": c.code, "name": c.name})])


def problem_features(problems: list, describe) -> dict:
    """The problems that have a place on the map: properties rule, codes, severity,
    pre_existing, blocks and text (`describe(problem)`, one line)."""
    return collection(
        [
            feature(
                p.geom,
                {
                    "rule": p.rule,
                    "codes": list(p.codes),
                    "severity": p.severity,
                    "pre_existing": p.pre_existing,
                    "blocks": p.blocks,
                    "text": describe(p),
                },
            )
            for p in problems
            if p.geom is not None and not p.geom.is_empty
        ]
    )


def handle_features(draft: Draft, code: str) -> dict:
    """The handles of grid `code`: one Point per vertex (kind 'vertex', lon, lat, label,
    shared, with: the other grids of the same level that have this vertex, so moving it
    moves them too) and one per edge at its midpoint (kind 'edge', a and b: its ends as
    [lon, lat]). Empty for an unknown code. A vertex of a parent or child grid does not
    make it shared: parents and children follow their grids anyway. A handle on the
    community's outer edge is `locked`: the draft holds one community, and moving that edge
    would move the neighbouring community's, which is not in it."""
    grid = draft.grids.get(code)
    if grid is None:
        return EMPTY
    others = [g for g in draft.grids.values() if g.code != code and g.level == grid.level]
    outer = draft.community.geom.boundary
    features, seen = [], set()
    for ring in _rings(grid.geom):
        # A vertex on the outline, and an edge on it or touching it.
        on_outer = shapely.dwithin(shapely.points(ring), outer, OUTER_TOLERANCE_DEG)
        middle_on_outer = shapely.dwithin(shapely.points((ring[:-1] + ring[1:]) / 2), outer, OUTER_TOLERANCE_DEG)
        for i, (a, b) in enumerate(zip(ring[:-1], ring[1:])):
            if tuple(a) not in seen:
                seen.add(tuple(a))
                features.append(_vertex(a, [g.code for g in others if has_vertex(g.geom, a)], bool(on_outer[i])))
            # Moving an edge moves its ends: locked when either end or its middle is.
            features.append(_edge(a, b, bool(middle_on_outer[i] or on_outer[i] or on_outer[i + 1])))
    return collection(features)


def has_vertex(geom, lonlat, tolerance_deg: float = 1e-9) -> bool:
    """Whether `geom` has a vertex at `lonlat` (within `tolerance_deg`)."""
    coords = shapely.get_coordinates(geom)
    return bool(len(coords)) and bool((np.abs(coords - np.asarray(lonlat)).max(axis=1) <= tolerance_deg).any())


def vertex_label(lonlat) -> str:
    """The text a vertex handle carries (its title in the browser): 'lon,lat' to 7 places."""
    return f"{lonlat[0]:.{LABEL_DIGITS}f},{lonlat[1]:.{LABEL_DIGITS}f}"


def frame_features(frame) -> dict:
    """A GeoDataFrame of grids (geo/boundaries/history.py `grids_as_of`) as GeoJSON:
    properties code, name, level, is_basic, households, colour (as in `grid_features`),
    top levels first."""
    colours = colours_of(frame["code"]) if len(frame) else {}
    features = []
    for row in frame.sort_values(["level", "code"]).itertuples():
        properties = {
            "code": row.code,
            "name": row.name,
            "level": int(row.level),
            "is_basic": bool(row.is_basic),
            "households": int(row.households),
            "colour": colours[row.code],
        }
        features.append(feature(row.geometry, properties))
    return collection(features)


def colours_of(codes) -> dict[str, str]:
    """A colour of PALETTE for each grid code, from the code itself: a grid keeps its colour
    whatever is added or removed around it, and grids numbered one after the other (the
    usual neighbours) differ."""
    return {code: PALETTE[_number(code) % len(PALETTE)] for code in codes}


def _number(code: str) -> int:
    digits = "".join(ch for ch in str(code) if ch.isdigit())[-6:]
    return int(digits) if digits else zlib.crc32(str(code).encode())


def bounds(community: Community) -> list[list[float]]:
    """A community's bounds as Leaflet wants them: [[south, west], [north, east]]."""
    x0, y0, x1, y1 = community.geom.bounds
    return [[y0, x0], [y1, x1]]


def _vertex(lonlat, shared_with: list[str], locked: bool) -> dict:
    lon, lat = float(lonlat[0]), float(lonlat[1])
    properties = {
        "kind": "vertex",
        "lon": lon,
        "lat": lat,
        "label": vertex_label((lon, lat)),
        "shared": bool(shared_with),
        "with": shared_with,
        "locked": locked,
    }
    return feature(shapely.Point(lon, lat), properties)


def _edge(a, b, locked: bool) -> dict:
    a, b = [float(a[0]), float(a[1])], [float(b[0]), float(b[1])]
    middle = shapely.Point((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    return feature(middle, {"kind": "edge", "a": a, "b": b, "lon": middle.x, "lat": middle.y, "locked": locked})


def _rings(geom) -> list[np.ndarray]:
    rings = []
    for polygon in getattr(geom, "geoms", [geom]):
        rings.append(shapely.get_coordinates(polygon.exterior))
        rings += [shapely.get_coordinates(interior) for interior in polygon.interiors]
    return rings


def _plain(value):
    """Tuples to lists, all the way down (JSON as Dash sends it)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
