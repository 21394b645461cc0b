"""The key places layer (重点场所): schools, hospitals, markets, hotels, internet cafés,
hazardous-chemical sites, each a point with its address; linked to the building it stands in."""

import numpy as np

from geo.imports.columns import ADDRESS, CRS, GEOMETRY, LAT, LON, Field
from geo.imports.geometry import POINT
from geo.imports.layer import Layer
from geo.imports.values import choice, parse_key
from geo.imports.write import upsert

CATEGORIES = {
    "school": ("学校", "幼儿园", "school"),
    "hospital": ("医院", "卫生院", "诊所", "hospital"),
    "market": ("市场", "农贸市场", "商场", "market"),
    "hotel": ("宾馆", "酒店", "旅馆", "hotel"),
    "internet_cafe": ("网吧", "internet_cafe"),
    "hazardous_chemicals": ("危化品", "危险化学品", "加油站", "hazardous_chemicals"),
    "other": ("其他", "other"),
}
FIELDS = [
    Field("code", True, ("场所编码", "编码", "code"), "the place's id", parse_key),
    Field("name", True, ("场所名称", "名称", "name"), "its name"),
    Field("category", True, ("场所类型", "类型", "类别", "category"), "学校 / 医院 / 市场 / 宾馆 / 网吧 / 危化品 / 其他",
          choice(CATEGORIES)),
    Field("address", True, ADDRESS.aliases, "its address"),
    LON, LAT, CRS, GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "name": "text", "category": "text", "address": "text", "lon": "float8", "lat": "float8"}


def with_point(record: dict, keep: tuple[str, ...]):
    """(the record's `keep` fields and its point, None) or (None, reason) without a point."""
    if not np.isfinite(record["lon"]):
        return None, "missing location: no coordinates"
    return {name: record[name] for name in (*keep, "lon", "lat")}, None


def finish(record: dict, context):
    return with_point(record, ("code", "name", "category", "address"))


def write(conn, context, origin) -> dict:
    inserted, updated = upsert(conn, "imports/key_places_upsert")
    return {"inserted": len(inserted), "updated": len(updated), "flags": {}}


LAYER = Layer("key-places", "重点场所", FIELDS, POINT, finish, write, staging=STAGING)
