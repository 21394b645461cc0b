"""Key places, cameras and centres inside a unit (its box, then its shape: nothing beyond it,
whoever looks), as GeoJSON points. Key places and
cameras are sent from the township level down (a county holds about a thousand: one blot on
the map and, measured, 330 KB of a view's data); centres down to the level below the unit."""

import psycopg
from psycopg import sql

from geo.db.connection import load_query
from geo.map.cases import point_features
from geo.shared.units import Unit

LIMIT = 2000
QUERY = {"places": "map/key_places", "cameras": "map/cameras", "centres": "map/centres"}
# Admin level of each unit kind: centres are shown down to one level below the unit.
UNIT_LEVEL = {"all": 1, "city": 1, "county": 2, "township": 3, "community": 4}
DENSE_LAYERS_FROM = ("township", "community", "grid", "micro_grid", "building")


def layer_points(conn: psycopg.Connection, layer: str, unit: Unit) -> dict | None:
    """The layer's points inside the unit (properties code, name, kind), or None when the
    layer is not shown at this unit's level."""
    if layer not in QUERY:
        raise ValueError(f"unknown point layer {layer!r}")
    if layer != "centres" and unit.kind not in DENSE_LAYERS_FROM:
        return None
    params = {"west": unit.west, "south": unit.south, "east": unit.east, "north": unit.north, "limit": LIMIT}
    params.update(max_level=UNIT_LEVEL.get(unit.kind, 4) + 1, code=unit.code)
    query = sql.SQL(load_query(QUERY[layer])).format(shape=sql.SQL(load_query("map/unit_shape")))
    rows = conn.execute(query, params).fetchall()
    return point_features(rows, ("code", "name", "kind"))
