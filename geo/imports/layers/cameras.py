"""The cameras layer (视频监控点位): public cameras as points."""

from geo.imports.columns import CRS, GEOMETRY, LAT, LON, Field
from geo.imports.geometry import POINT
from geo.imports.layer import Layer
from geo.imports.layers.key_places import with_point
from geo.imports.values import choice, parse_key
from geo.imports.write import upsert

KINDS = {
    "road": ("道路", "路口", "road"),
    "community": ("社区", "小区", "community"),
    "key_place": ("重点场所", "场所", "key_place"),
}
FIELDS = [
    Field("code", True, ("点位编码", "设备编码", "编码", "code"), "the camera's id", parse_key),
    Field("name", True, ("点位名称", "设备名称", "名称", "name"), "its name"),
    Field("kind", False, ("点位类型", "类型", "kind"), "道路 / 社区 / 重点场所 (default 道路)", choice(KINDS)),
    LON, LAT, CRS, GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "name": "text", "kind": "text", "lon": "float8", "lat": "float8"}


def finish(record: dict, context):
    return with_point(record | {"kind": record["kind"] or "road"}, ("code", "name", "kind"))


def write(conn, context, origin) -> dict:
    inserted, updated = upsert(conn, "imports/cameras_upsert")
    return {"inserted": len(inserted), "updated": len(updated), "flags": {}}


LAYER = Layer("cameras", "视频监控", FIELDS, POINT, finish, write, staging=STAGING)
