"""Mapbox Vector Tiles of the OGC collections' polygons (geo/db/queries/ogc/tile.sql, PostGIS
`ST_AsMVT`), for the presented session as the items are, and their TileJSON documents.

Example:
    >>> tile(conn, TILE_LAYERS["grids"], 14, 13460, 6520)     # bytes of a .mvt
"""

import math
from dataclasses import dataclass

from geo.ogc.collections import COLLECTIONS, Collection, with_source

MAX_ZOOM = 18


@dataclass(frozen=True)
class TileLayer:
    collection: Collection
    min_zoom: int  # below it a tile of this layer would carry too many features to draw
    fields: dict  # attribute -> description (TileJSON's vector_layers)


AREA_FIELDS = {"code": "String", "name": "String", "level": "Number", "parent": "String",
               "risk_level": "String: red, orange, yellow or blue", "relative_risk": "Number"}  # fmt: skip
TILE_LAYERS = {
    layer.collection.id: layer
    for layer in (
        *(TileLayer(COLLECTIONS[f"areas-{level}"], zoom, AREA_FIELDS) for level, zoom in ((1, 0), (2, 0), (3, 6), (4, 8))),
        TileLayer(COLLECTIONS["grids"], 12, {
            "code": "String", "name": "String", "level": "Number", "is_basic": "Boolean", "kind": "String",
            "exclusive_type": "String", "parent": "String", "households": "Number", "community": "String",
            "risk_level": "String: red, orange, yellow or blue (basic grids)", "relative_risk": "Number"}),
        TileLayer(COLLECTIONS["buildings"], 15, {
            "code": "String", "standard_address": "String", "kind": "String", "floors": "Number",
            "households": "Number", "micro_grid": "String"}),
    )
}  # fmt: skip


def tile(conn, layer: TileLayer, z: int, x: int, y: int) -> bytes:
    """The layer's tile z/x/y (empty below its minimum zoom)."""
    if z < layer.min_zoom:
        return b""
    collection = layer.collection
    query = with_source("ogc/tile", collection.source)
    params = {"z": z, "x": x, "y": y, "layer": collection.id, **dict(collection.params)}
    return bytes(conn.execute(query, params).fetchone()[0] or b"")


def tilejson(base: str, layer: TileLayer) -> dict:
    """The TileJSON 3.0 document of a layer served at `base` (the service's URL)."""
    collection = layer.collection
    return {
        "tilejson": "3.0.0",
        "name": collection.id,
        "description": collection.title,
        "tiles": [f"{base}/tiles/{collection.id}/{{z}}/{{x}}/{{y}}.mvt"],
        "minzoom": layer.min_zoom,
        "maxzoom": MAX_ZOOM,
        "vector_layers": [
            {"id": collection.id, "fields": layer.fields, "minzoom": layer.min_zoom, "maxzoom": MAX_ZOOM}
        ],
    }


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """(x, y) of the web-mercator tile of zoom `z` that holds the point."""
    n, radians = 2**z, math.radians(lat)
    return int((lon + 180) / 360 * n), int((1 - math.log(math.tan(radians) + 1 / math.cos(radians)) / math.pi) / 2 * n)
