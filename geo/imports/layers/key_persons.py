"""The key persons layer (重点人群): pseudonymous records of people registered for care or
supervision, each at a building. Sensitive: the file goes into the `sensitive` schema only;
nothing from it is printed but counts and the pseudonyms of rejected rows.

The building is the 楼栋编码 column, else the address matched by the geocoder (an address it
will not place with confidence rejects the row with the reason: a person is never placed
by a guess). A unit number the building does not have is stored without the unit, flagged.
"""

from geo.geocode.matcher import match_addresses
from geo.imports.columns import ADDRESS, Field
from geo.imports.layer import Layer
from geo.imports.rows import key_cells
from geo.imports.values import BOOLEAN, choice, integer, parse_date, parse_key
from geo.imports.write import upsert

CARE_LEVELS = {"high": ("高", "重点", "high"), "medium": ("中", "一般", "medium"), "low": ("低", "low")}
FIELDS = [
    Field("pseudonym", True, ("人员编号", "编号", "pseudonym", "id", "code"), "the pseudonymous id (no names)", parse_key),
    Field("category", True, ("人员类别", "类别", "类型", "category"), "a category code or its Chinese or English name"),
    Field("building_code", False, ("楼栋编码", "建筑编码", "building_code", "building"), "the building's code", parse_key),
    Field("address", False, ("住址", "居住地址", *ADDRESS.aliases), "used when there is no building code"),
    Field("unit_no", False, ("单元", "单元号", "unit", "unit_no"), "unit number in the building", integer(1, 32767)),
    Field("care_level", False, ("关注等级", "管控等级", "等级", "care_level"), "高 / 中 / 低 (default 中)", choice(CARE_LEVELS)),
    Field("registered_on", True, ("登记日期", "登记时间", "registered_on", "registered"), "date registered", parse_date),
    Field("active", False, ("在册", "是否在册", "active"), "是/否 (default 是)", BOOLEAN),
]  # fmt: skip
STAGING = {"pseudonym": "text", "category_code": "text", "building_id": "int4", "unit_no": "int2",
           "care_level": "text", "registered_on": "date", "active": "bool"}  # fmt: skip
CATEGORIES = "SELECT code, name_zh, name_en FROM sensitive.key_person_category"
BUILDINGS = "SELECT code, id FROM building WHERE code = ANY(%s)"
NO_UNIT = """SELECT count(*) FROM import_key_persons s JOIN sensitive.key_person k USING (pseudonym)
             WHERE s.unit_no IS NOT NULL AND k.unit_id IS NULL"""


def prepare(conn, table, columns) -> dict:
    """Categories by code and name, building ids by code, and the address matches."""
    categories = {}
    for code, zh, en in conn.execute(CATEGORIES).fetchall():
        categories |= {code: code, zh.lower(): code, en.lower(): code}
    codes = key_cells(table, columns, "building_code")
    buildings = dict(conn.execute(BUILDINGS, [[c for c in codes if c]]).fetchall())
    addresses = [a if not c else None for a, c in zip(key_cells(table, columns, "address"), codes)]
    matches = match_addresses(conn, addresses, fuzzy=[True] * len(addresses)) if any(addresses) else []
    by_address = {a: m for a, m in zip(addresses, matches) if a}
    return {"categories": categories, "buildings": buildings, "matches": by_address}


def finish(record: dict, context):
    category = context["categories"].get(record["category"].strip().lower())
    if category is None:
        return None, f"unknown category {record['category']!r} (see `python -m geo import --layers`)"
    building, problem = _building(record, context)
    if problem:
        return None, problem
    return {"pseudonym": record["pseudonym"], "category_code": category, "building_id": building,
            "unit_no": record["unit_no"], "care_level": record["care_level"] or "medium",
            "registered_on": record["registered_on"],
            "active": True if record["active"] is None else record["active"]}, None  # fmt: skip


def _building(record: dict, context):
    if record["building_code"]:
        building = context["buildings"].get(record["building_code"])
        return (building, None) if building else (None, f"unknown building {record['building_code']!r}")
    if not record["address"]:
        return None, "missing location: neither a building code nor an address"
    match = context["matches"].get(record["address"].strip())
    if match is None or not match.matched:
        return None, "the address matches no building with confidence (give the building code, 楼栋编码)"
    return match.building_id, None


def write(conn, context, origin) -> dict:
    inserted, updated = upsert(conn, "imports/key_persons_upsert")
    flags = {"key persons stored without a unit (the building has no such unit)": conn.execute(NO_UNIT).fetchone()[0]}
    return {"inserted": len(inserted), "updated": len(updated), "flags": flags}


LAYER = Layer("key-persons", "重点人群", FIELDS, None, finish, write, prepare=prepare, key="pseudonym", staging=STAGING)
