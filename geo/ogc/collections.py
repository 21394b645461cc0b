"""The collections the OGC API – Features service offers (dashboard/ogc.py), and one page of
a collection's features for the session presented on the connection (geo/auth/tokens.py): each
collection's source query (geo/db/queries/ogc/) keeps to that session's jurisdiction, as the map
does, and nothing else decides what a token may read.

Example:
    >>> page = items(conn, COLLECTIONS["grids"], bbox=None, limit=100, offset=0)
    >>> page.features[0]["id"], page.more       # ('4101020010010001', True)
"""

from dataclasses import dataclass

import orjson
from psycopg.types.json import Jsonb

from geo.db.connection import load_query

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000  # a larger limit is capped to this (the service says so in its API document)
LEVEL_NAMES = {1: ("市", "cities"), 2: ("县（市、区）", "counties and districts"),
               3: ("乡镇（街道）", "townships and streets"), 4: ("社区（村）", "communities and villages")}  # fmt: skip


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    source: str  # the name of its query in geo/db/queries/ogc/
    geometry: str  # the GeoJSON type of its features
    properties: tuple  # its features' properties: what `properties=` picks and what filters take
    params: tuple = ()  # (name, value) pairs its query takes
    as_of_source: str | None = None  # its query for `datetime` (the versions valid then), if it keeps history


@dataclass
class Page:
    features: list[dict]
    more: bool  # whether a next page exists


def _areas(level: int) -> Collection:
    zh, en = LEVEL_NAMES[level]
    return Collection(
        f"areas-{level}", f"行政区划：{zh} · Administrative areas: {en}",
        f"Level {level} of the administrative hierarchy inside the token's jurisdiction.",
        "areas", "MultiPolygon", ("code", "name", "level", "parent"), (("level", level),),
    )  # fmt: skip


COLLECTIONS = {
    c.id: c
    for c in (
        *(_areas(level) for level in LEVEL_NAMES),
        Collection("grids", "网格 · Grids", "The current grids: basic grids and the grids above them.", "grids",
                   "MultiPolygon", ("code", "name", "level", "is_basic", "kind", "exclusive_type", "parent",
                                    "households", "community"), as_of_source="grids_as_of"),
        Collection("micro-grids", "微网格 · Micro-grids", "The current micro-grids of the basic grids.", "micro_grids",
                   "MultiPolygon", ("code", "kind", "households", "grid")),
        Collection("buildings", "楼栋 · Buildings", "Building footprints with their standard address.", "buildings",
                   "Polygon", ("code", "standard_address", "kind", "floors", "units", "households", "micro_grid")),
        Collection("key-places", "重点场所 · Key places", "Schools, hospitals, markets and other key places.",
                   "key_places", "Point", ("code", "name", "category", "address")),
        Collection("cameras", "视频监控 · Cameras", "Public-security cameras.", "cameras", "Point",
                   ("code", "name", "kind")),
        Collection("centres", "综治中心 · Governance centres", "Comprehensive-governance centres of the areas.",
                   "centres", "Point", ("area", "name", "level", "address")),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int  # in spatial_ref_sys
    lat_first: bool  # its axis order: latitude first (EPSG's geographic CRSs), else x first
    digits: int  # decimals kept in GeoJSON (about a centimetre)


CRS84 = Crs("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326, False, 7)
CRSS = {
    crs.uri: crs
    for crs in (
        CRS84,
        Crs("http://www.opengis.net/def/crs/EPSG/0/4490", 4490, True, 7),  # CGCS2000, China's geodetic CRS
        Crs("http://www.opengis.net/def/crs/EPSG/0/3857", 3857, False, 2),  # Web Mercator, metres
    )
}


def with_source(query: str, source: str) -> str:
    """The text of `query` (items or a tile) around a collection's source query and the scope
    they both read (geo/db/queries/ogc/)."""
    return (
        load_query(query).replace("{scope}", load_query("ogc/scope")).replace("{source}", load_query(f"ogc/{source}"))
    )


def items(
    conn,
    collection: Collection,
    bbox: tuple | None,
    limit: int,
    offset: int,
    fid: str | None = None,
    crs: Crs = CRS84,
    bbox_crs: Crs = CRS84,
    after: str | None = None,
    equal: dict[str, str] | None = None,
    at=None,
) -> Page:
    """A page of features (GeoJSON dicts, ordered by id) of `collection` for the presented
    session, in `crs`; `bbox` is in `bbox_crs` and its axis order; `after`: the ids above it
    only (the cursor of a next link, which skips no rows as an offset does); `equal`: the
    features whose properties have these values (compared as text: level=3, is_basic=true);
    `at`: the versions valid at that moment (a collection with an `as_of_source`)."""
    source = collection.as_of_source if at is not None else collection.source
    query = with_source("ogc/items", source)
    west, south, east, north = bbox or (None, None, None, None)
    if bbox and bbox_crs.lat_first:  # given as (south, west, north, east)
        west, south, east, north = south, west, north, east
    params = {"fid": fid, "west": west, "south": south, "east": east, "north": north, "limit": limit, "offset": offset,
              "srid": crs.srid, "digits": crs.digits, "bbox_srid": bbox_crs.srid, "after": after,
              "equal": Jsonb(equal) if equal else None, "at": at}  # fmt: skip
    rows = conn.execute(query, {**params, **dict(collection.params)}).fetchall()
    features = [
        {"type": "Feature", "id": fid_, "geometry": orjson.loads(geometry), "properties": orjson.loads(properties)}
        for fid_, geometry, properties in rows[:limit]
    ]
    return Page(features, len(rows) > limit)
