"""The OpenAPI 3.0 document of the OGC API – Features service (dashboard/ogc.py): its paths,
their parameters (with the limits the service applies) and the bearer-token security."""

from geo.ogc.collections import CRSS

ERROR = {"$ref": "#/components/responses/Error"}
DATETIME = {
    "name": "datetime",
    "in": "query",
    "description": "the versions valid at this instant (RFC 3339, or a date: its end); grids only",
    "schema": {"type": "string"},
}
JSON_OBJECT = {"type": "object"}


def openapi_document(base: str, collections: dict, max_limit: int, default_limit: int) -> dict:
    """The document for a service at `base` (its URL, without a trailing slash)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "平安地图 · Safety Map: OGC API – Features",
            "version": "1.0.0",
            "description": "Grids, areas, buildings and places as the map shows them to a token's user. "
            "Tokens: `python -m geo users token USERNAME NAME`.",
        },
        "servers": [{"url": base}],
        "security": [{"token": []}],
        "paths": {
            "/": _get("landing page", JSON_OBJECT, public=True),
            "/conformance": _get("conformance classes", JSON_OBJECT, public=True),
            "/api": _get("this document", JSON_OBJECT, public=True),
            "/collections": _get("the collections", JSON_OBJECT),
            "/collections/{collectionId}": _get("a collection", JSON_OBJECT, [_collection_id(collections)]),
            "/collections/{collectionId}/items": _get(
                "a page of a collection's features",
                {"$ref": "#/components/schemas/FeatureCollection"},
                [_collection_id(collections), *_items_parameters(max_limit, default_limit)],
                media_type="application/geo+json",
            ),
            **{
                f"/collections/{collection.id}/items": _get(
                    f"{collection.id} features",
                    {"$ref": "#/components/schemas/FeatureCollection"},
                    [*_items_parameters(max_limit, default_limit), *_filters(collection)],
                    media_type="application/geo+json",
                )
                for collection in collections.values()
            },
            "/collections/{collectionId}/items/{featureId}": _get(
                "one feature",
                {"$ref": "#/components/schemas/Feature"},
                [_collection_id(collections), _path("featureId", "the feature's id (its code)"), _crs_parameter("crs")],
                media_type="application/geo+json",
            ),
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "an API token"}},
            "schemas": {
                "Feature": {"type": "object", "required": ["type", "geometry", "properties"]},
                "FeatureCollection": {"type": "object", "required": ["type", "features"]},
                "Exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                },
            },
            "responses": {
                "Error": {
                    "description": "a refused request",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Exception"}}},
                }
            },
        },
    }


def _get(
    summary: str,
    schema: dict,
    parameters: list | None = None,
    public: bool = False,
    media_type: str = "application/json",
) -> dict:
    operation = {
        "summary": summary,
        "operationId": "get" + "".join(word.capitalize() for word in summary.replace("'", "").split()),
        "parameters": [*(parameters or []), _format_parameter()],
        "responses": {
            "200": {"description": summary, "content": {media_type: {"schema": schema}}},
            "400": ERROR,
            "401": ERROR,
            "404": ERROR,
        },
    }
    if public:
        operation["security"] = []
    return {"get": operation}


def _collection_id(collections: dict) -> dict:
    return {**_path("collectionId", "a collection"), "schema": {"type": "string", "enum": list(collections)}}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _items_parameters(max_limit: int, default_limit: int) -> list[dict]:
    return [
        {
            "name": "limit",
            "in": "query",
            "description": f"features per page; more than {max_limit} is capped to {max_limit}",
            "schema": {"type": "integer", "minimum": 1, "default": default_limit},
        },
        {
            "name": "offset",
            "in": "query",
            "description": "features to skip",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
        {
            "name": "after",
            "in": "query",
            "description": "the features after this id (the `next` link carries it)",
            "schema": {"type": "string"},
        },
        {
            "name": "bbox",
            "in": "query",
            "description": "the lower corner then the upper one, in bbox-crs and its axis order (CRS84: west,south,east,north)",
            "style": "form",
            "explode": False,
            "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
        },
        _crs_parameter("bbox-crs"),
        _crs_parameter("crs"),
    ]


def _filters(collection) -> list[dict]:
    """`properties` (which to return) and one equality filter per property of the collection."""
    picked = {
        "name": "properties",
        "in": "query",
        "description": "the properties to return, comma-separated",
        "style": "form",
        "explode": False,
        "schema": {"type": "array", "items": {"type": "string", "enum": list(collection.properties)}},
    }
    equal = [
        {"name": name, "in": "query", "description": f"only features whose {name} is this (as text)",
         "schema": {"type": "string", "maxLength": 200}}
        for name in collection.properties
    ]  # fmt: skip
    moment = [DATETIME] if collection.as_of_source else []
    return [picked, *equal, *moment]


def _crs_parameter(name: str) -> dict:
    return {"name": name, "in": "query", "schema": {"type": "string", "format": "uri", "enum": list(CRSS)}}


def _format_parameter() -> dict:
    return {"name": "f", "in": "query", "schema": {"type": "string", "enum": ["json", "geojson"]}}
