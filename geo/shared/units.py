"""The units of the drill-down path (city → county → township → community → grid →
micro-grid → building) and the shapes of a unit's children.

Example:
    >>> unit = find_unit(conn, "411802")
    >>> [u.name for u in unit_path(conn, unit)]
    ['安澜市', '南城区']
"""

import json
from dataclasses import dataclass

import psycopg
from psycopg import sql

from geo.db.connection import load_query

ADMIN_KINDS = ("all", "city", "county", "township", "community")
# The one name of each kind of unit, (zh, en): pages, the overview and exports all use these.
UNIT_KIND_NAMES = {
    "city": ("市", "City"),
    "county": ("县/区", "County/district"),
    "township": ("乡镇/街道", "Township/street"),
    "community": ("社区/村", "Community/village"),
    "grid": ("网格", "Grid"),
    "micro_grid": ("微网格", "Micro-grid"),
    "building": ("楼栋", "Building"),
}
CHILDREN_QUERY = {
    "grid": "map/children_grid",
    "micro_grid": "map/children_micro_grid",
    "building": "map/children_building",
}
# A map about 1,500 pixels wide shows the whole unit: simplify to about one of its pixels.
PIXELS_ACROSS = 1500
MAX_DEPTH = 10


@dataclass(frozen=True)
class Unit:
    """One unit: `kind` is all|city|county|township|community|grid|micro_grid|building;
    `code` is None only for `all` (several top-level areas and no single city above them)."""

    kind: str
    code: str | None
    name: str
    parent_code: str | None
    west: float
    south: float
    east: float
    north: float

    @property
    def bounds(self) -> list[list[float]]:
        """[[south, west], [north, east]], as Leaflet wants them."""
        return [[self.south, self.west], [self.north, self.east]]

    @property
    def is_area(self) -> bool:
        return self.kind in ADMIN_KINDS


def find_unit(conn: psycopg.Connection, code: str | None) -> Unit | None:
    """The unit with this code (area, basic grid, micro-grid or building), the root for no
    code, None when nothing has it."""
    if not code:
        return root_unit(conn)
    row = conn.execute(load_query("map/unit"), {"code": code}).fetchone()
    return Unit(*row) if row else None


def root_unit(conn: psycopg.Connection) -> Unit | None:
    """The city, or a unit `all` above several top-level areas; None for an empty database."""
    roots = conn.execute(load_query("map/roots")).fetchall()
    if len(roots) == 1:
        kind, code, name, west, south, east, north = roots[0]
        return Unit(kind, code, name, None, west, south, east, north)
    if not roots:
        return None
    return Unit(
        "all",
        None,
        "全部",
        None,
        min(r[3] for r in roots),
        min(r[4] for r in roots),
        max(r[5] for r in roots),
        max(r[6] for r in roots),
    )


def unit_path(conn: psycopg.Connection, unit: Unit) -> list[Unit]:
    """The units from the root down to `unit` (for the breadcrumb)."""
    path = [unit]
    while path[0].parent_code and len(path) < MAX_DEPTH:
        parent = find_unit(conn, path[0].parent_code)
        if parent is None:
            break
        path.insert(0, parent)
    if path[0].kind != "all":
        root = root_unit(conn)
        if root is not None and root.kind == "all":
            path.insert(0, root)
    return path


def children_geojson(conn: psycopg.Connection, unit: Unit) -> dict:
    """The unit's children as a GeoJSON FeatureCollection (code, name, kind per feature),
    simplified for the zoom that shows the whole unit."""
    query = sql.SQL(load_query("map/features")).format(children=_children(unit))
    tolerance = max(unit.east - unit.west, unit.north - unit.south) / PIXELS_ACROSS
    return conn.execute(query, {"code": unit.code, "tolerance": tolerance}).fetchone()[0]


def micro_grid_outline(conn: psycopg.Connection, unit: Unit) -> dict:
    """The micro-grid a micro-grid's or a building's map shows, as a FeatureCollection (empty
    for other units): its buildings alone would not show where it ends."""
    row = None
    if unit.kind in ("micro_grid", "building"):
        row = conn.execute(load_query("map/micro_outline"), {"code": unit.code}).fetchone()
    features = [{"type": "Feature", "properties": {"code": row[0]}, "geometry": json.loads(row[1])}] if row else []
    return {"type": "FeatureCollection", "features": features}


def children_codes(conn: psycopg.Connection, unit: Unit) -> list[str]:
    """The codes of the unit's children on the map, without their shapes."""
    query = sql.SQL("SELECT code FROM ({children}) child ORDER BY code").format(children=_children(unit))
    return [code for (code,) in conn.execute(query, {"code": unit.code})]


def _children(unit: Unit) -> sql.SQL:
    return sql.SQL(load_query("map/children_areas" if unit.is_area else CHILDREN_QUERY[unit.kind]))
