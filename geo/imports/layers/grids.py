"""The grids layer (网格): versioned boundaries of the basic management cells and their parents.

A grid's code (16 digits) extends its community's 12-digit code. Defaults when a column is
missing: the community is the code's first 12 digits; the level is 1 without a parent grid,
else the parent's level + 1 (the parent looked up in the file, then the database, else 2);
a grid is basic (基础网格) when no other grid in the file names it as parent; households 0.
A grid whose community or parent grid is not in the database is loaded and flagged.

Writing keeps history: a changed grid gets a new version (valid from now) and its current
one is closed; unchanged grids are left alone; the cases in the changed area are placed again.
"""

from geo.imports.columns import GEOMETRY, Field
from geo.imports.geometry import POLYGONS
from geo.imports.layer import Layer
from geo.imports.rows import key_cells
from geo.imports.values import BOOLEAN, choice, integer, pattern
from geo.imports.write import run_script, write_versions
from geo.shared.grid_kinds import EXCLUSIVE_TYPE_NAMES

KINDS = {"regular": ("常规", "普通", "一般", "regular"), "exclusive": ("专属", "专属网格", "exclusive")}
FIELDS = [
    Field("code", True, ("网格编码", "编码", "code", "grid_code"), "16 digits: the community's 12 + 4",
          pattern(r"\d{16}", "a grid code of 16 digits")),
    Field("name", True, ("网格名称", "名称", "name"), "the grid's name"),
    Field("level", False, ("网格层级", "层级", "级别", "level"), "1–3 (default: from the parent)", integer(1, 3)),
    Field("parent_code", False, ("上级网格编码", "上级网格", "上级编码", "parent_code", "parent"),
          "the enclosing grid's code (none for level 1)", pattern(r"\d{16}", "a grid code of 16 digits")),
    Field("community_code", False, ("社区编码", "所属社区编码", "村社区编码", "community_code", "community"),
          "default: the code's first 12 digits", pattern(r"\d{12}", "a community code of 12 digits")),
    Field("kind", False, ("网格类型", "类型", "kind"), "常规 or 专属 (default 常规, 专属 with a 专属类型)", choice(KINDS)),
    Field("exclusive_type", False, ("专属类型", "专属网格类型", "exclusive_type"), "工业园区 / 商圈 / 学校 / 医院",
          choice(EXCLUSIVE_TYPE_NAMES)),
    Field("is_basic", False, ("基础网格", "是否基础网格", "is_basic", "basic"), "是/否 (default: no child grid in the file)",
          BOOLEAN),
    Field("households", False, ("户数", "住户数", "households"), "households (default 0)", integer(0)),
    GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "name": "text", "level": "int2", "is_basic": "bool", "kind": "text",
           "exclusive_type": "text", "community_code": "text", "parent_code": "text", "households": "int4",
           "geom": "geometry"}  # fmt: skip
MAX_LEVEL = 3
CURRENT_LEVELS = "SELECT code, level FROM grid_current WHERE code = ANY(%s)"
CURRENT_COUNT = "SELECT count(*) FROM grid_current"


def prepare(conn, table, columns) -> dict:
    """The level of each grid code named in the file or as a parent, and the parents named."""
    codes = key_cells(table, columns, "code")
    parents = key_cells(table, columns, "parent_code")
    given = dict(zip(codes, key_cells(table, columns, "level")))
    known = dict(conn.execute(CURRENT_LEVELS, [[p for p in parents if p]]).fetchall())
    parent_of = dict(zip(codes, parents))
    return {"level": lambda code: _level(code, given, known, parent_of, set()), "parents": set(parents) - {""}}


def _level(code: str, given: dict, known: dict, parent_of: dict, seen: set) -> int:
    """The level of `code`: given, stored, or its parent's + 1; a cycle of parents counts as
    too deep, so that its grids are refused."""
    if str(given.get(code, "")).strip().isdigit():
        return int(given[code])
    if code in known:
        return known[code]
    parent = parent_of.get(code)
    if code in seen:
        return MAX_LEVEL + 1
    if not parent:
        return 1
    if parent not in parent_of and parent not in known:
        return 2
    return _level(parent, given, known, parent_of, seen | {code}) + 1


def finish(record: dict, context):
    parent = record["parent_code"]
    if parent == record["code"]:
        return None, "the grid names itself as its parent"
    level = record["level"] or (context["level"](parent) + 1 if parent else 1)
    if level > MAX_LEVEL:
        return None, f"level {level} (from its parents' chain): grids have at most {MAX_LEVEL} levels"
    if (level == 1) != (parent is None):
        return None, "a level-1 grid has no parent grid and a deeper one needs its parent's code (上级网格编码)"
    kind = record["kind"] or ("exclusive" if record["exclusive_type"] else "regular")
    if (kind == "exclusive") != (record["exclusive_type"] is not None):
        return None, "an exclusive grid (专属) needs its type (专属类型), and only an exclusive grid has one"
    basic = record["is_basic"] if record["is_basic"] is not None else record["code"] not in context["parents"]
    return record | {"level": level, "kind": kind, "is_basic": basic, "households": record["households"] or 0,
                     "community_code": record["community_code"] or record["code"][:12]}, None  # fmt: skip


def write(conn, context, origin) -> dict:
    written = write_versions(conn, origin, "imports/grids", "imports/grids_area", CURRENT_COUNT)
    flags = dict(zip(FLAG_NAMES, run_script(conn, "imports/grids_flags")[0]))
    return written | {"flags": flags | written["flags"]}


FLAG_NAMES = ("grids whose community is not in the database", "grids whose parent grid is not in the database",
              "grids overlapping another imported grid",
              "parent grids marked basic (基础网格) that have child grids: re-import them with 基础网格=否")  # fmt: skip
LAYER = Layer("grids", "网格", FIELDS, POLYGONS, finish, write, prepare=prepare, staging=STAGING, whole_file=True)
