"""Case figures of one unit under the page's filters: per child (for the map's style table),
key figures, trend, category mix, points and table (grid level and below), heat bins.

The period figures (per child, key figures, trend, category mix) of an area or a basic grid
are sums of the daily case facts (`geo.map.facts`, migration 0021); those of a micro-grid or a
building, and the points, table and heat bins of any unit, are read from its cases: a query of
`geo/db/queries/map/*.sql` put together by `geo.map.scope.map_query`. Each function takes the
unit's `scope` (`geo.map.scope.scope_params`) when the caller has it already: an area's grids
are a walk down the hierarchy (70 ms at the top of a province), which a page showing several
figures of the same area need not repeat for each (the facts need no scope).
"""

import datetime as dt

import psycopg

from geo.db.frames import query_frame
from geo.map import facts
from geo.map.filters import CaseFilter
from geo.map.scope import map_query, scope_params
from geo.shared.units import Unit

POINTS_LIMIT = 2000
TABLE_LIMIT = 300


def child_case_counts(
    conn, unit: Unit, case_filter: CaseFilter, today: dt.date, scope: dict | None = None
) -> dict[str, dict]:
    """{child code: {cases, open, overdue}} for the children drawn on the unit's map. A
    building's map shows its micro-grid's buildings, so their figures are the micro-grid's."""
    scope_unit = unit
    if unit.kind == "building":
        scope_unit, scope = Unit("micro_grid", unit.parent_code, "", None, 0, 0, 0, 0), None
    rows = _figure(conn, "child_cases", scope_unit, case_filter, today, scope).fetchall()
    return {code: {"cases": cases, "open": open_, "overdue": overdue} for code, cases, open_, overdue in rows}


def key_figures(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, scope: dict | None = None) -> dict:
    """cases (in the range), today, week (last 7 days), open, overdue, closed, close_rate."""
    cursor = _figure(conn, "kpis", unit, case_filter, today, scope)
    figures = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
    figures["close_rate"] = figures["closed"] / figures["cases"] if figures["cases"] else None
    return figures


def trend(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, scope: dict | None = None):
    """DataFrame period, cases, closed: per day, or per week for ranges of three months and more."""
    return _figure_frame(conn, "trend", unit, case_filter, today, scope)


def category_mix(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, scope: dict | None = None):
    """DataFrame category, cases, largest first."""
    return _figure_frame(conn, "category_mix", unit, case_filter, today, scope)


def case_table(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, scope: dict | None = None):
    """DataFrame of the newest TABLE_LIMIT cases: code, reported_at, category, source, state,
    status, summary, address, deadline."""
    return _frame(conn, "case_table", unit, case_filter, today, scope, limit=TABLE_LIMIT)


def case_points(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, scope: dict | None = None) -> dict:
    """The newest POINTS_LIMIT cases of the unit as GeoJSON points (code, category, state)."""
    rows = _run(conn, "case_points", unit, case_filter, today, scope, limit=POINTS_LIMIT).fetchall()
    return point_features(rows, ("code", "category", "state"))


def heat_bins(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, box: dict, columns: int, rows: int):
    """(cell_x, cell_y, cases) rows of a columns × rows raster over `box` (west, south,
    east, north), cell (0, 0) in the north-west corner."""
    extra = {**box, "columns": columns, "rows": rows}
    return _run(conn, "heat_bins", unit, case_filter, today, None, **extra).fetchall()


def point_features(rows, names: tuple[str, ...]) -> dict:
    """Rows (*properties, lon, lat) as a GeoJSON FeatureCollection of points."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row[-2]), float(row[-1])]},
            "properties": dict(zip(names, row[:-2], strict=True)),
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def _params(conn, unit: Unit, case_filter: CaseFilter, today: dt.date, scope: dict | None, extra: dict) -> dict:
    return {**(scope or scope_params(conn, unit)), **case_filter.params(today), **extra}


def _run(conn: psycopg.Connection, name: str, unit: Unit, case_filter: CaseFilter, today: dt.date, scope, **extra):
    return conn.execute(map_query(name, unit), _params(conn, unit, case_filter, today, scope, extra))


def _frame(conn, name: str, unit: Unit, case_filter: CaseFilter, today: dt.date, scope, **extra):
    return query_frame(conn, map_query(name, unit), _params(conn, unit, case_filter, today, scope, extra))


def _figure(conn, name: str, unit: Unit, case_filter: CaseFilter, today: dt.date, scope):
    """A period figure: from the facts where they are kept, else from the cases."""
    if facts.covers(unit):
        return facts.run(conn, name, unit, case_filter.params(today))
    return _run(conn, name, unit, case_filter, today, scope)


def _figure_frame(conn, name: str, unit: Unit, case_filter: CaseFilter, today: dt.date, scope):
    if facts.covers(unit):
        params = {**case_filter.params(today), "code": unit.code}
        return query_frame(conn, facts.fact_query(name, unit), params)
    return _frame(conn, name, unit, case_filter, today, scope)
