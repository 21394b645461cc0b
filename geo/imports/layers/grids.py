"""The grids layer (网格): versioned boundaries of the basic management cells and their parents.

A grid's code is an identifier; the hierarchy comes from the file's 上级网格编码 and 社区编码
columns, and what they leave out from the city's code scheme (geo/shared/code_scheme.py; by
default 16 digits, the community's 12 + 2 + 2). Defaults when a column is missing: the parent
grid is the one the code names by the scheme (none for a code off it); the community is the
code's community by the scheme, else its parent grid's; the level is 1 without a parent
grid, else the parent's level + 1 (the parent looked up in the file, then the database, else
2); a grid is basic (基础网格) when no other grid in the file names it as parent; households
0. A code off the scheme loads with a warning. A grid whose community or parent grid is not
in the database is loaded and flagged.

Writing keeps history: a changed grid gets a new version (valid from now) and its current
one is closed; unchanged grids are left alone; the cases in the changed area are placed again.
"""

from geo.imports.columns import GEOMETRY, Field
from geo.imports.geometry import POLYGONS
from geo.imports.layer import WARNING, Layer
from geo.imports.rows import key_cells
from geo.imports.values import BOOLEAN, choice, code_value, integer
from geo.imports.write import run_script, write_versions
from geo.shared.code_scheme import load_scheme
from geo.shared.grid_kinds import EXCLUSIVE_TYPE_NAMES

KINDS = {"regular": ("常规", "普通", "一般", "regular"), "exclusive": ("专属", "专属网格", "exclusive")}
FIELDS = [
    Field("code", True, ("网格编码", "编码", "code", "grid_code"), "any code (default scheme: the community's 12 digits + 4)",
          code_value("a grid code")),
    Field("name", True, ("网格名称", "名称", "name"), "the grid's name"),
    Field("level", False, ("网格层级", "层级", "级别", "level"), "1–3 (default: from the parent)", integer(1, 3)),
    Field("parent_code", False, ("上级网格编码", "上级网格", "上级编码", "parent_code", "parent"),
          "the enclosing grid's code (none for level 1; without the column: from the code scheme)", code_value("a grid code")),
    Field("community_code", False, ("社区编码", "所属社区编码", "村社区编码", "community_code", "community"),
          "default: from the code scheme, else the parent grid's", code_value("a community code")),
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
CURRENT_COMMUNITIES = """SELECT g.code, coalesce(a.code, g.community_code) FROM grid_current g
                         LEFT JOIN admin_area a ON a.id = g.community_id WHERE g.code = ANY(%s)"""
CURRENT_COUNT = "SELECT count(*) FROM grid_current"


def prepare(conn, table, columns) -> dict:
    """What the checks need across rows: the parent of each code (the file's column, else the
    code scheme's), each code's level and community, and the parents named."""
    scheme = load_scheme()
    codes = key_cells(table, columns, "code")
    explicit = columns.get("parent_code") is not None
    parents = key_cells(table, columns, "parent_code") if explicit else [scheme.grid_parent(c) or "" for c in codes]
    named = [p for p in parents if p]
    given = dict(zip(codes, key_cells(table, columns, "level")))
    if not explicit:  # without parent columns the scheme's level stands where the file gives none
        given = {c: level or str(scheme.grid_level(c) or "") for c, level in given.items()}
    known = dict(conn.execute(CURRENT_LEVELS, [named]).fetchall())
    parent_of = dict(zip(codes, parents))
    communities = dict(conn.execute(CURRENT_COMMUNITIES, [named]).fetchall())
    communities |= {c: k for c, k in zip(codes, key_cells(table, columns, "community_code")) if k}
    return {"level": lambda code: _level(code, given, known, parent_of, set()), "parents": set(named), "given": given,
            "parent_of": parent_of, "explicit_parent": explicit, "scheme": scheme,
            "community": lambda code: _community(code, scheme, communities, parent_of, set())}  # fmt: skip


def _community(code: str, scheme, communities: dict, parent_of: dict, seen: set) -> str | None:
    """The community of grid `code`: its 社区编码, the code scheme's, else its parent grid's."""
    found = communities.get(code) or scheme.grid_community(code)
    parent = parent_of.get(code)
    if found or not parent or code in seen:
        return found
    return _community(parent, scheme, communities, parent_of, seen | {code})


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
    code = record["code"]
    parent = record["parent_code"] if context["explicit_parent"] else context["parent_of"].get(code) or None
    if parent == code:
        return None, "the grid names itself as its parent"
    own = str(context["given"].get(code, ""))
    level = record["level"] or (int(own) if own.isdigit() else None) or (context["level"](parent) + 1 if parent else 1)
    if level > MAX_LEVEL:
        return None, f"level {level} (from its parents' chain): grids have at most {MAX_LEVEL} levels"
    if (level == 1) != (parent is None):
        return None, "a level-1 grid has no parent grid and a deeper one needs its parent's code (上级网格编码)"
    kind = record["kind"] or ("exclusive" if record["exclusive_type"] else "regular")
    if (kind == "exclusive") != (record["exclusive_type"] is not None):
        return None, "an exclusive grid (专属) needs its type (专属类型), and only an exclusive grid has one"
    basic = record["is_basic"] if record["is_basic"] is not None else code not in context["parents"]
    community = record["community_code"] or context["community"](code)
    finished = record | {"parent_code": parent, "level": level, "kind": kind, "is_basic": basic,
                         "households": record["households"] or 0, "community_code": community}  # fmt: skip
    off = _off_scheme(context["scheme"], code, level)
    return (finished | {WARNING: off} if off else finished), None


def _off_scheme(scheme, code: str, level: int) -> str | None:
    """Why `code` does not follow the city's code scheme at `level` (None when it does)."""
    if not scheme.grid_fits(code):
        return f"grid code {code} is off the code scheme ({scheme.grid_length} characters): kept as given"
    if scheme.grid_level(code) != level:
        return f"grid code {code} does not name level {level} by the code scheme: kept as given"
    return None


def write(conn, context, origin) -> dict:
    written = write_versions(conn, origin, "imports/grids", "imports/grids_area", CURRENT_COUNT)
    flags = dict(zip(FLAG_NAMES, run_script(conn, "imports/grids_flags")[0]))
    return written | {"flags": flags | written["flags"]}


FLAG_NAMES = ("grids whose community is not in the database", "grids whose parent grid is not in the database",
              "grids overlapping another imported grid",
              "parent grids marked basic (基础网格) that have child grids: re-import them with 基础网格=否")  # fmt: skip
LAYER = Layer("grids", "网格", FIELDS, POLYGONS, finish, write, prepare=prepare, staging=STAGING, whole_file=True)
