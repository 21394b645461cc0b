"""The micro-grids layer (微网格): a building or a ten-household group (十联户) inside a grid.

Versioned like grids. The code is an identifier; the grid is the 所属网格编码 column, else the
grid the code names by the city's code scheme (geo/shared/code_scheme.py; by default the
grid's 16 digits + 3). A code off the scheme (or not under its grid's code) loads with a
warning; one whose grid can be told neither way is refused; a micro-grid whose grid is not
current is loaded and flagged.
"""

from geo.imports.columns import GEOMETRY, Field
from geo.imports.geometry import POLYGONS
from geo.imports.layer import WARNING, Layer
from geo.imports.values import choice, code_value, integer
from geo.imports.write import write_versions
from geo.shared.code_scheme import load_scheme

KINDS = {"building": ("楼栋", "楼宇", "building"), "ten_households": ("十联户", "联户", "ten_households")}
FIELDS = [
    Field("code", True, ("微网格编码", "编码", "code"), "any code (default scheme: the grid's 16 digits + 3)",
          code_value("a micro-grid code")),
    Field("grid_code", False, ("网格编码", "所属网格编码", "所属网格", "grid_code", "grid"),
          "default: from the code scheme", code_value("a grid code")),
    Field("kind", False, ("类型", "微网格类型", "kind"), "楼栋 or 十联户 (default 楼栋)", choice(KINDS)),
    Field("households", False, ("户数", "住户数", "households"), "households (default 0)", integer(0)),
    GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "grid_code": "text", "kind": "text", "households": "int4", "geom": "geometry"}
CURRENT_COUNT = "SELECT count(*) FROM micro_grid_current"
ORPHANS = """SELECT count(*) FROM import_micro_grids s
             WHERE NOT EXISTS (SELECT 1 FROM grid_current g WHERE g.code = s.grid_code)"""


def prepare(conn, table, columns) -> dict:
    """The city's code scheme, read once per chunk."""
    return {"scheme": load_scheme()}


def finish(record: dict, context):
    scheme, code = context["scheme"], record["code"]
    named = scheme.micro_grid(code)
    grid = record["grid_code"] or named
    if grid is None:
        return None, (f"code {code} is off the code scheme ({scheme.micro_length} characters): "
                      "its grid cannot be told, give 所属网格编码")  # fmt: skip
    finished = record | {
        "grid_code": grid,
        "kind": record["kind"] or "building",
        "households": record["households"] or 0,
    }
    if named != grid:
        finished[WARNING] = (f"micro-grid code {code} is off the code scheme ({scheme.micro_length} characters, "
                             f"its grid's code first): kept as given, in grid {grid}")  # fmt: skip
    return finished, None


def write(conn, context, origin) -> dict:
    written = write_versions(conn, origin, "imports/micro_grids", "imports/micro_grids_area", CURRENT_COUNT)
    flags = {"micro-grids whose grid is not in the database": conn.execute(ORPHANS).fetchone()[0]}
    return written | {"flags": flags | written["flags"]}


LAYER = Layer("micro-grids", "微网格", FIELDS, POLYGONS, finish, write, prepare=prepare, staging=STAGING)
