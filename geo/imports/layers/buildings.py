"""The buildings layer (楼栋): footprints with their standard address (标准地址).

The micro-grid defaults to the one covering the footprint; a building in none is loaded and
flagged. Floors default to 1, units and households to 0. After writing, buildings and the
cases near the changed footprints are placed again (a case takes the nearest building of
its grid), and the address gazetteer is rebuilt before the next match.
"""

from geo.imports.columns import GEOMETRY, Field
from geo.imports.geometry import FOOTPRINT
from geo.imports.layer import Layer
from geo.imports.values import choice, integer, parse_key
from geo.imports.write import replace_placements, upsert

KINDS = {
    "residential": ("住宅", "居民楼", "住宅楼", "residential"),
    "village_house": ("自建房", "村民自建房", "农房", "village_house"),
    "school": ("学校", "school"),
    "hospital": ("医院", "hospital"),
    "office": ("办公", "写字楼", "办公楼", "office"),
    "commercial": ("商业", "商铺", "商业楼", "commercial"),
    "industrial": ("工业", "厂房", "industrial"),
    "public": ("公共", "公共建筑", "public"),
}
FIELDS = [
    Field("code", True, ("楼栋编码", "建筑编码", "建筑物编码", "编码", "code"), "the building's id", parse_key),
    Field("standard_address", True, ("标准地址", "地址", "address", "standard_address"), "its standard address"),
    Field("micro_grid_code", False, ("微网格编码", "所属微网格", "micro_grid_code", "micro_grid"),
          "default: the micro-grid covering it", parse_key),
    Field("kind", False, ("类型", "用途", "建筑类型", "kind"), "住宅 / 自建房 / 学校 / 医院 / 办公 / 商业 / 工业 / 公共 "
          "(default 住宅)", choice(KINDS)),
    Field("road", False, ("街路巷", "道路", "路", "road"), "road name"),
    Field("house_number", False, ("门牌号", "门牌", "house_number"), "house number on the road"),
    Field("estate", False, ("小区", "小区名称", "estate"), "estate name"),
    Field("building_no", False, ("楼号", "栋号", "building_no"), "building number in the estate"),
    Field("floors", False, ("层数", "楼层数", "floors"), "1–120 (default 1)", integer(1, 120)),
    Field("unit_count", False, ("单元数", "units", "unit_count"), "units (default 0)", integer(0, 32767)),
    Field("households", False, ("户数", "住户数", "households"), "households (default 0)", integer(0)),
    GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "micro_grid_code": "text", "kind": "text", "road": "text", "house_number": "text",
           "estate": "text", "building_no": "text", "standard_address": "text", "floors": "int2",
           "unit_count": "int2", "households": "int4", "geom": "geometry"}  # fmt: skip
TOTAL = "SELECT count(*) FROM building"
OUTSIDE = """SELECT count(*) FROM building b JOIN import_buildings s USING (code)
             WHERE NOT EXISTS (SELECT 1 FROM micro_grid_current m WHERE m.code = b.micro_grid_code)"""


def finish(record: dict, context):
    return record | {"kind": record["kind"] or "residential", "floors": record["floors"] or 1,
                     "unit_count": record["unit_count"] or 0, "households": record["households"] or 0}, None  # fmt: skip


def write(conn, context, origin) -> dict:
    conn.execute(CREATE_CHANGED)
    inserted, updated = upsert(conn, "imports/buildings_upsert")
    total = conn.execute(TOTAL).fetchone()[0]
    written = inserted + updated
    placed = replace_placements(conn, len(written), total, "imports/buildings_area", {"ids": written})
    flags = {"buildings in no micro-grid": conn.execute(OUTSIDE).fetchone()[0]}
    return {"inserted": len(inserted), "updated": len(updated), "flags": flags | placed["flags"]}


# The footprints before the upsert, for the area whose cases may move.
CREATE_CHANGED = """CREATE TEMP TABLE building_before ON COMMIT DROP AS
                    SELECT b.code, b.footprint FROM building b JOIN import_buildings s USING (code)"""
LAYER = Layer("buildings", "楼栋", FIELDS, FOOTPRINT, finish, write, staging=STAGING)
