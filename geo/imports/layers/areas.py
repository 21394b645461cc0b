"""The administrative areas layer: city, counties/districts, townships/streets, communities/villages.

One file may hold any levels. The level comes from the 级别 column, else from the national
division code: 12 digits a community or village, 9 a township or street, 6 a county or
district, or the city when it ends in 00. The parent is the 上级编码 column, else the code's
prefix (community → its first 9 digits, township → 6, county → the city's 4 + 00); a parent
not in the database is flagged, not a reason to refuse the row.
"""

from geo.imports.columns import GEOMETRY, Field
from geo.imports.geometry import POLYGONS
from geo.imports.layer import Layer
from geo.imports.values import BOOLEAN, choice, pattern
from geo.imports.write import run_script

LEVELS = {1: ("市", "city", "地级市"), 2: ("县", "区", "县区", "county", "district"),
          3: ("乡镇", "街道", "乡", "镇", "township", "street", "town"), 4: ("社区", "村", "村居", "community", "village")}  # fmt: skip
KINDS = {
    "city": ("市", "city"), "district": ("区", "district"), "county": ("县", "county"),
    "street": ("街道", "street"), "town": ("镇", "town"), "township": ("乡", "township"),
    "community": ("社区", "community"), "village": ("村", "village"),
}  # fmt: skip
LEVEL_OF_KIND = {
    "city": 1,
    "district": 2,
    "county": 2,
    "street": 3,
    "town": 3,
    "township": 3,
    "community": 4,
    "village": 4,
}
URBAN_KINDS = {"city", "district", "street", "community"}
NAME_SUFFIXES = [("街道", "street"), ("社区", "community"), ("区", "district"), ("县", "county"), ("镇", "town"),
                 ("乡", "township"), ("村", "village"), ("市", "city")]  # fmt: skip
DEFAULT_KIND = {1: "city", 2: "district", 3: "street", 4: "community"}
CODE_DIGITS = {1: 6, 2: 6, 3: 9, 4: 12}
FIELDS = [
    Field("code", True, ("区划代码", "行政区划代码", "编码", "代码", "code", "adcode"), "national division code: 6, 9 or 12 digits",
          pattern(r"\d{6}|\d{9}|\d{12}", "a division code of 6, 9 or 12 digits")),
    Field("name", True, ("名称", "区划名称", "name"), "the area's name"),
    Field("level", False, ("级别", "层级", "level"), "1 市, 2 县/区, 3 乡镇/街道, 4 社区/村 (default: from the code)",
          choice(LEVELS)),
    Field("kind", False, ("类型", "kind"), "区/县/街道/镇/乡/社区/村 (default: from the name)", choice(KINDS)),
    Field("parent_code", False, ("上级编码", "上级代码", "上级区划代码", "parent_code", "parent"), "default: from the code",
          pattern(r"\d{6}|\d{9}|\d{12}", "a division code of 6, 9 or 12 digits")),
    Field("is_urban", False, ("城镇", "是否城镇", "is_urban", "urban"), "是/否 (default: from the kind)", BOOLEAN),
    GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "name": "text", "level": "int2", "kind": "text", "parent_code": "text",
           "is_urban": "bool", "geom": "geometry"}  # fmt: skip


def finish(record: dict, context):
    code, level = record["code"], record["level"]
    if level is None:
        level = {12: 4, 9: 3}.get(len(code), 1 if code.endswith("00") else 2)
    if len(code) != CODE_DIGITS[level]:
        return None, f"code {code} has {len(code)} digits; a level-{level} code has {CODE_DIGITS[level]}"
    kind = record["kind"] or _kind_from_name(record["name"], level)
    if LEVEL_OF_KIND[kind] != level:
        return None, f"kind {kind} does not fit level {level}"
    parent = record["parent_code"] or _parent_code(code, level)
    urban = record["is_urban"] if record["is_urban"] is not None else kind in URBAN_KINDS
    return {"code": code, "name": record["name"], "level": level, "kind": kind, "parent_code": parent,
            "is_urban": urban, "geom": record["geom"]}, None  # fmt: skip


def _kind_from_name(name: str, level: int) -> str:
    fitting = [kind for suffix, kind in NAME_SUFFIXES if name.endswith(suffix) and LEVEL_OF_KIND[kind] == level]
    return fitting[0] if fitting else DEFAULT_KIND[level]


def _parent_code(code: str, level: int) -> str | None:
    return {1: None, 2: code[:4] + "00", 3: code[:6], 4: code[:9]}[level]


def write(conn, context, origin) -> dict:
    written = run_script(conn, "imports/areas")
    inserted = [code for code, new in written if new]
    orphans = conn.execute(ORPHANS).fetchone()[0]
    return {"inserted": len(inserted), "updated": len(written) - len(inserted),
            "flags": {"areas whose parent area is not in the database": orphans}}  # fmt: skip


ORPHANS = """SELECT count(*) FROM import_areas s JOIN admin_area a USING (code)
             WHERE a.level > 1 AND a.parent_id IS NULL"""
LAYER = Layer("areas", "行政区划", FIELDS, POLYGONS, finish, write, staging=STAGING)
