"""OGC API – Features (Part 1: Core, GeoJSON, OpenAPI 3.0) at /ogc/, for QGIS, GDAL and other
city systems. The landing page, the conformance classes and the API document are public; the
collections and their features need an API token of a user (`Authorization: Bearer <token>`,
`python -m geo users token`), and give exactly what the map gives that user: the token presents
its user's session to row-level security and to the collections' queries (geo/ogc/).

Every malformed request gets a 4xx with an OGC-style JSON body ({"code", "description"}),
never a 500: unknown parameters and collections, bad bbox, limit or offset, a CRS not offered,
a missing, wrong or revoked token. A limit above MAX_LIMIT is capped to it.

Example:
    $ ogrinfo --config GDAL_HTTP_HEADERS "Authorization: Bearer smt_…" OAPIF:http://127.0.0.1:8050/ogc grids
"""

import datetime as dt
import math
import re
from contextlib import contextmanager
from urllib.parse import urlencode

import orjson
import psycopg
from flask import Blueprint, Flask, Response, request
from psycopg_pool import PoolTimeout

from geo import clock
from geo.auth.sessions import use_session
from geo.auth.tokens import api_user
from geo.db.pool import get_pool
from geo.ogc.collections import COLLECTIONS, CRS84, CRSS, DEFAULT_LIMIT, MAX_LIMIT, items
from geo.ogc.openapi import openapi_document
from geo.ogc.tiles import MAX_ZOOM, TILE_LAYERS, tile, tilejson

PREFIX = "/ogc"
TILES = "/tiles"  # vector tiles of the collections' polygons, beside the service
MVT = "application/vnd.mapbox-vector-tile"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
ITEMS_PARAMETERS = {"limit", "offset", "after", "bbox", "bbox-crs", "crs", "datetime", "f"}
MAX_OFFSET = 10_000_000
WEB_MERCATOR_MAX_M = 20_037_508.35
BBOX_LIMITS = {4326: (180, 90), 4490: (180, 90), 3857: (WEB_MERCATOR_MAX_M, WEB_MERCATOR_MAX_M)}  # x, y
WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")  # ASCII digits only ("²".isdigit() is true)
FEATURE_ID = re.compile(r"[0-9A-Za-z_.-]{1,100}")  # what codes are made of; anything else is no feature
GEOJSON, JSON = "application/geo+json", "application/json"


class OgcError(Exception):
    """A request the service refuses: its HTTP status, code and description."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def register_ogc(server: Flask, url: str) -> None:
    """Add the service's routes to `server`, reading database `url` (the web role's)."""
    service = Blueprint("ogc", __name__)

    @service.errorhandler(OgcError)
    def refused(error: OgcError):
        return _json({"code": error.code, "description": error.description}, status=error.status)

    @service.get(PREFIX)
    @service.get(PREFIX + "/")
    def landing():
        base = _base()
        return _json(
            {
                "title": "平安地图 · Safety Map: OGC API – Features",
                "description": "Grids, areas, buildings and places of the safety map, as the map shows them to a token's user.",
                "links": [
                    _link(base + "/", "self", JSON, "this document"),
                    _link(base + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API"),
                    _link(base + "/conformance", "conformance", JSON, "conformance classes"),
                    _link(base + "/collections", "data", JSON, "the collections"),
                ],
            }
        )

    @service.get(PREFIX + "/conformance")
    def conformance():
        return _json({"conformsTo": CONFORMANCE})

    @service.get(PREFIX + "/api")
    def api():
        document = openapi_document(_base(), COLLECTIONS, MAX_LIMIT, DEFAULT_LIMIT)
        return _json(document, mimetype="application/vnd.oai.openapi+json;version=3.0")

    @service.get(PREFIX + "/collections")
    def collections():
        _only(set())
        _require_token(url)
        base = _base()
        return _json(
            {
                "links": [_link(base + "/collections", "self", JSON, "the collections")],
                "collections": [_collection(base, c) for c in COLLECTIONS.values()],
            }
        )

    @service.get(PREFIX + "/collections/<collection_id>")
    def collection(collection_id: str):
        _only(set())
        found = _find(collection_id)
        _require_token(url)
        return _json(_collection(_base(), found))

    @service.get(PREFIX + "/collections/<collection_id>/items")
    def features(collection_id: str):
        found = _find(collection_id)
        _only(ITEMS_PARAMETERS | {"properties"} | set(found.properties))
        crs, bbox_crs = _crs("crs"), _crs("bbox-crs")
        limit, offset, bbox, after = _limit(), _offset(), _bbox(bbox_crs), _after()
        picked, equal, at = _picked(found), _equal(found), _datetime(found)
        with _presented(url) as conn:
            page = items(conn, found, bbox, limit, offset, crs=crs, bbox_crs=bbox_crs, after=after, equal=equal, at=at)
        if picked is not None:
            for feature in page.features:
                feature["properties"] = {k: v for k, v in feature["properties"].items() if k in picked}
        here = f"{_base()}/collections/{found.id}/items"
        links = [_link(here + _query(), "self", GEOJSON, "this page")]
        if page.more:  # the next page by the last id shown: no rows skipped, however far down
            links.append(_link(here + _query(after=page.features[-1]["id"]), "next", GEOJSON, "the next page"))
        if offset and after is None:
            links.append(_link(here + _query(offset=max(0, offset - limit)), "prev", GEOJSON, "the page before"))
        body = {
            "type": "FeatureCollection",
            "features": page.features,
            "numberReturned": len(page.features),
            "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "links": links,
        }
        return _json(body, mimetype=GEOJSON, crs=crs)

    @service.get(PREFIX + "/collections/<collection_id>/items/<feature_id>")
    def feature(collection_id: str, feature_id: str):
        _only({"crs", "f"})
        crs = _crs("crs")
        found = _find(collection_id)
        if not FEATURE_ID.fullmatch(feature_id):
            raise OgcError(404, "NotFound", "no such feature")
        with _presented(url) as conn:
            page = items(conn, found, None, 1, 0, fid=feature_id, crs=crs)
        if not page.features:
            raise OgcError(404, "NotFound", f"no feature {feature_id!r} in {found.id} for this token")
        here = f"{_base()}/collections/{found.id}"
        body = {
            **page.features[0],
            "links": [
                _link(f"{here}/items/{feature_id}", "self", GEOJSON, "this feature"),
                _link(here, "collection", JSON, "its collection"),
            ],
        }
        return _json(body, mimetype=GEOJSON, crs=crs)

    @service.get(TILES + "/<layer_id>.json")
    def tile_document(layer_id: str):
        _only(set())
        layer = _tile_layer(layer_id)
        _require_token(url)
        return _json(tilejson(request.url_root.rstrip("/"), layer))

    @service.get(TILES + "/<layer_id>/<int:z>/<int:x>/<int:y>.mvt")
    def vector_tile(layer_id: str, z: int, x: int, y: int):
        _only(set())
        layer = _tile_layer(layer_id)
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
            raise OgcError(400, "InvalidParameterValue", f"tile: z from 0 to {MAX_ZOOM}, x and y from 0 to 2^z - 1")
        with _presented(url) as conn:
            body = tile(conn, layer, z, x, y)
        return Response(body, mimetype=MVT)

    server.register_blueprint(service)


def _tile_layer(layer_id: str):
    found = TILE_LAYERS.get(layer_id)
    if found is None:
        raise OgcError(404, "NotFound", f"no tile layer {layer_id[:60]!r}: {', '.join(TILE_LAYERS)}")
    return found


@contextmanager
def _presented(url: str):
    """A pooled connection in one transaction presenting the request's API token: the token's
    user is checked (and the request counted) first; 401 without a live token."""
    token = _bearer()
    try:
        with get_pool(url).connection(timeout=10) as conn:
            # Checked and counted in a transaction of its own: the count's row lock is not held
            # while a page is read (parallel requests of one token would wait for each other).
            with conn.transaction():
                user = api_user(conn, token)
            if user is None:
                raise OgcError(401, "Unauthorized", "a live API token is required: Authorization: Bearer <token>")
            with conn.transaction():
                use_session(conn, token)
                yield conn
    except (PoolTimeout, psycopg.OperationalError) as error:
        raise OgcError(503, "ServiceUnavailable", "the database did not answer") from error


def _require_token(url: str) -> None:
    """401 without a live API token; the request counted (a document that reads no data)."""
    with _presented(url):
        pass


def _bearer() -> str | None:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


def _only(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed - {"f"})
    if unknown:
        raise OgcError(400, "InvalidParameterValue", f"unknown parameter(s): {', '.join(unknown)[:200]}")
    if request.args.get("f", "json") not in ("json", "geojson"):
        raise OgcError(400, "InvalidParameterValue", "f: only json is offered")


def _find(collection_id: str):
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise OgcError(404, "NotFound", f"no collection {collection_id[:60]!r}; see /ogc/collections")
    return found


def _limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
        raise OgcError(400, "InvalidParameterValue", f"limit: a whole number from 1 (more than {MAX_LIMIT} is capped)")
    return min(int(raw), MAX_LIMIT)


def _offset() -> int:
    raw = request.args.get("offset", "0")
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) > MAX_OFFSET:
        raise OgcError(400, "InvalidParameterValue", f"offset: a whole number from 0 to {MAX_OFFSET:,}")
    return int(raw)


def _bbox(crs) -> tuple[float, float, float, float] | None:
    """Four numbers in `crs` and its axis order (CRS84 and Web Mercator: x first; CGCS2000:
    latitude first), each lower one at most its upper one, within the CRS's range."""
    raw = request.args.get("bbox")
    if raw is None:
        return None
    try:
        values = [float(part) for part in raw.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise OgcError(400, "InvalidParameterValue", "bbox: four numbers, the lower corner then the upper one")
    low_a, low_b, high_a, high_b = values
    limit_x, limit_y = BBOX_LIMITS[crs.srid]
    limit_a, limit_b = (limit_y, limit_x) if crs.lat_first else (limit_x, limit_y)
    if not (-limit_a <= low_a <= high_a <= limit_a and -limit_b <= low_b <= high_b <= limit_b):
        raise OgcError(400, "InvalidParameterValue", "bbox: each lower coordinate at most its upper, within the CRS")
    return low_a, low_b, high_a, high_b


def _picked(collection) -> set[str] | None:
    """The properties asked for by `properties=a,b` (None: all); an unknown one is refused."""
    raw = request.args.get("properties")
    if raw is None:
        return None
    names = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = sorted(names - set(collection.properties))
    if unknown:
        raise OgcError(400, "InvalidParameterValue", f"properties: unknown {', '.join(unknown)[:100]}")
    return names


def _equal(collection) -> dict[str, str] | None:
    """The property filters (`?level=3&kind=regular`): each a value of at most 200 characters."""
    wanted = {name: request.args[name] for name in collection.properties if name in request.args}
    if any(len(value) > 200 or "\x00" in value for value in wanted.values()):
        raise OgcError(400, "InvalidParameterValue", "a property filter's value: at most 200 characters")
    return wanted or None


def _datetime(collection) -> dt.datetime | None:
    """The instant of `datetime` (RFC 3339, or a date: its end in the configured zone); only
    for a collection that keeps its versions (the grids), and not an interval."""
    raw = request.args.get("datetime")
    if raw is None:
        return None
    if collection.as_of_source is None:
        raise OgcError(400, "InvalidParameterValue", f"datetime: {collection.id} keeps no history (grids do)")
    try:
        if len(raw) == 10:  # a day: the boundaries at its end
            return clock.end_of_day(dt.date.fromisoformat(raw))
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or len(raw) > 40:
        raise OgcError(400, "InvalidParameterValue", "datetime: one instant, e.g. 2026-11-01T08:00:00Z or 2026-11-01")
    return moment


def _after() -> str | None:
    raw = request.args.get("after")
    if raw is not None and not FEATURE_ID.fullmatch(raw):
        raise OgcError(400, "InvalidParameterValue", "after: a feature's id (the next link's cursor)")
    return raw


def _crs(name: str):
    """The CRS named in parameter `name` (CRS84 when absent); 400 for one not offered."""
    value = request.args.get(name)
    if value is None:
        return CRS84
    if value not in CRSS:
        raise OgcError(400, "InvalidParameterValue", f"{name}: one of {', '.join(CRSS)}")
    return CRSS[value]


def _query(**changed) -> str:
    """The request's own query string with some values changed (a next link: `after` instead
    of any offset); the token travels in its header."""
    args = {key: value for key, value in request.args.items() if key not in ("offset", "after") or key in changed}
    if "after" in changed:
        args.pop("offset", None)
    args.update({key: str(value) for key, value in changed.items()})
    return "?" + urlencode(args)


def _collection(base: str, collection) -> dict:
    here = f"{base}/collections/{collection.id}"
    return {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": list(CRSS),
        "storageCrs": CRS84.uri,
        "links": [
            _link(here, "self", JSON, "this collection"),
            _link(here + "/items", "items", GEOJSON, "its features"),
        ],
    }


def _base() -> str:
    return request.url_root.rstrip("/") + PREFIX


def _link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def _json(body: dict, status: int = 200, mimetype: str = JSON, crs=None) -> Response:
    response = Response(orjson.dumps(body), status=status, mimetype=mimetype)
    if crs is not None:
        response.headers["Content-Crs"] = f"<{crs.uri}>"
    return response
