"""Which cases and grids a unit holds, for the map's queries. A query file of
`geo/db/queries/map/` takes its pieces in placeholders: {scope}, the unit's placed cases each
with the child it falls in, and {case_filter}, the page's filters on cases. An admin area's
scope needs its grids first: `scope_params` finds them (one indexed walk down the hierarchy)
and passes them as arrays."""

from psycopg import sql

from geo.db.connection import load_query
from geo.shared.units import Unit

GRID_ID = "SELECT id FROM grid_current WHERE code = %s"
SCOPE_QUERY = {"grid": "map/scope_grid", "micro_grid": "map/scope_micro_grid", "building": "map/scope_building"}


def map_query(name: str, unit: Unit) -> sql.Composed:
    """The query `map/<name>` for `unit`; run it with `scope_params(conn, unit)`.

    Example:
        >>> conn.execute(map_query("kpis", county), {**scope_params(conn, county), **filter_params})
    """
    scope = load_query(_scope_name(unit))
    return sql.SQL(load_query(f"map/{name}")).format(
        scope=sql.SQL(scope), case_filter=sql.SQL(load_query("map/case_filter"))
    )


def _scope_name(unit: Unit) -> str:
    if not unit.is_area:
        return SCOPE_QUERY[unit.kind]
    # Above several top-level areas the unit is everything: read by date first.
    return "map/scope_root" if unit.kind == "all" else "map/scope_areas"


def scope_params(conn, unit: Unit) -> dict:
    """{code} for a grid, micro-grid or building; {code, grid_ids, children} for an area."""
    if not unit.is_area:
        return {"code": unit.code}
    rows = conn.execute(load_query("map/area_grids"), {"code": unit.code}).fetchall()
    return {"code": unit.code, "grid_ids": [r[0] for r in rows], "children": [r[2] for r in rows]}


def scope_grid_ids(conn, unit: Unit) -> list[int] | None:
    """The ids of the current basic grids of an area or a grid: None for `all` (every grid).

    Example:
        >>> scope_grid_ids(conn, county)  # [1201, 1202, ...]
    """
    if unit.kind == "all":
        return None
    if unit.kind == "grid":
        return [row[0] for row in conn.execute(GRID_ID, [unit.code])]
    if not unit.is_area:
        raise ValueError(f"grids are counted for an area or a grid, not a {unit.kind}")
    return scope_params(conn, unit)["grid_ids"]
