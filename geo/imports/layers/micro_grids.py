"""The micro-grids layer (微网格): a building or a ten-household group (十联户) inside a grid.

Versioned like grids. The code (19 digits) extends its grid's 16; the grid defaults to the
code's first 16 digits; a micro-grid whose grid is not current is loaded and flagged.
"""

from geo.imports.columns import GEOMETRY, Field
from geo.imports.geometry import POLYGONS
from geo.imports.layer import Layer
from geo.imports.values import choice, integer, pattern
from geo.imports.write import write_versions

KINDS = {"building": ("楼栋", "楼宇", "building"), "ten_households": ("十联户", "联户", "ten_households")}
FIELDS = [
    Field("code", True, ("微网格编码", "编码", "code"), "19 digits: the grid's 16 + 3",
          pattern(r"\d{19}", "a micro-grid code of 19 digits")),
    Field("grid_code", False, ("网格编码", "所属网格编码", "所属网格", "grid_code", "grid"),
          "default: the code's first 16 digits", pattern(r"\d{16}", "a grid code of 16 digits")),
    Field("kind", False, ("类型", "微网格类型", "kind"), "楼栋 or 十联户 (default 楼栋)", choice(KINDS)),
    Field("households", False, ("户数", "住户数", "households"), "households (default 0)", integer(0)),
    GEOMETRY,
]  # fmt: skip
STAGING = {"code": "text", "grid_code": "text", "kind": "text", "households": "int4", "geom": "geometry"}
CURRENT_COUNT = "SELECT count(*) FROM micro_grid_current"
ORPHANS = """SELECT count(*) FROM import_micro_grids s
             WHERE NOT EXISTS (SELECT 1 FROM grid_current g WHERE g.code = s.grid_code)"""


def finish(record: dict, context):
    return record | {"grid_code": record["grid_code"] or record["code"][:16], "kind": record["kind"] or "building",
                     "households": record["households"] or 0}, None  # fmt: skip


def write(conn, context, origin) -> dict:
    written = write_versions(conn, origin, "imports/micro_grids", "imports/micro_grids_area", CURRENT_COUNT)
    flags = {"micro-grids whose grid is not in the database": conn.execute(ORPHANS).fetchone()[0]}
    return written | {"flags": flags | written["flags"]}


LAYER = Layer("micro-grids", "微网格", FIELDS, POLYGONS, finish, write, staging=STAGING)
