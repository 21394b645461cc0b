"""The administrative areas layer: city, counties/districts, townships/streets, communities/villages.

One file may hold any levels. The level comes from the 级别 column, else from the city's
code scheme (geo/shared/code_scheme.py; by default the national division code: 12 digits a
community or village, 9 a township or street, 6 a county or district, or the city when it
ends in 00). The parent is the 上级编码 column, else the scheme's prefix (community → its
first 9 digits, township → 6, county → the city's 4 + 00). A code off the scheme loads with a
warning (a row whose level the scheme cannot tell needs 级别); a parent not in the database
is flagged, not a reason to refuse the row.
"""

from geo.imports.columns import GEOMETRY, Field
from geo.imports.geometry import POLYGONS
from geo.imports.layer import WARNING, Layer
from geo.imports.values import BOOLEAN, choice, code_value
from geo.imports.write import run_script
from geo.shared.code_scheme import load_scheme

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
FIELDS = [
    Field("code", True, ("区划代码", "行政区划代码", "编码", "代码", "code", "adcode"), "division code (default scheme: 6, 9 or 12 digits)",
          code_value("a division code")),
    Field("name", True, ("名称", "区划名称", "name"), "the area's name"),
    Field("level", False, ("级别", "层级", "level"), "1 市, 2 县/区, 3 乡镇/街道, 4 社区/村 (default: from the code)",
          choice(LEVELS)),
    Field("kind", False, ("类型", "kind"), "区/县/街道/镇/乡/社区/村 (default: from the name)", choice(KINDS)),
    Field("parent_code", False, ("上级编码", "上级代码", "上级区划代码", "parent_code", "parent"), "default: from the code scheme",
          code_value("a division code")),
    Field("is_urban", False, ("城镇", "是否城镇", "is_urban", "urban"), "是/否 (default: from the kind)", BOOLEAN),
    GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "name": "text", "level": "int2", "kind": "text", "parent_code": "text",
           "is_urban": "bool", "geom": "geometry"}  # fmt: skip


def prepare(conn, table, columns) -> dict:
    """The city's code scheme, read once per chunk."""
    return {"scheme": load_scheme()}


def finish(record: dict, context):
    scheme, code, level = context["scheme"], record["code"], record["level"]
    level = level or scheme.area_level(code)
    if level is None:
        lengths = "/".join(map(str, scheme.area_lengths))
        return None, f"code {code}: its level cannot be told from the code scheme (lengths {lengths}): give 级别"
    kind = record["kind"] or _kind_from_name(record["name"], level)
    if LEVEL_OF_KIND[kind] != level:
        return None, f"kind {kind} does not fit level {level}"
    parent = record["parent_code"] or scheme.area_parent(code, level)
    urban = record["is_urban"] if record["is_urban"] is not None else kind in URBAN_KINDS
    finished = {"code": code, "name": record["name"], "level": level, "kind": kind, "parent_code": parent,
                "is_urban": urban, "geom": record["geom"]}  # fmt: skip
    if not scheme.area_fits(code, level):
        finished[WARNING] = (
            f"code {code} is off the code scheme ({scheme.area_lengths[level - 1]} characters at level {level}): "
            + ("kept as given" if parent or level == 1 else "kept, and without 上级编码 it has no parent")
        )
    return finished, None


def _kind_from_name(name: str, level: int) -> str:
    fitting = [kind for suffix, kind in NAME_SUFFIXES if name.endswith(suffix) and LEVEL_OF_KIND[kind] == level]
    return fitting[0] if fitting else DEFAULT_KIND[level]


def write(conn, context, origin) -> dict:
    written = run_script(conn, "imports/areas")
    inserted = [code for code, new in written if new]
    orphans = conn.execute(ORPHANS).fetchone()[0]
    return {"inserted": len(inserted), "updated": len(written) - len(inserted),
            "flags": {"areas whose parent area is not in the database": orphans}}  # fmt: skip


ORPHANS = """SELECT count(*) FROM import_areas s JOIN admin_area a USING (code)
             WHERE a.level > 1 AND a.parent_id IS NULL"""
LAYER = Layer("areas", "行政区划", FIELDS, POLYGONS, finish, write, prepare=prepare, staging=STAGING)
