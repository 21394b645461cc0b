"""What the page's callbacks share: a pooled connection in the signed-in user's scope, today in
the configured zone (geo/clock.py), the unit named in the state (kept inside the user's jurisdiction), the
page filter from the query store, and the category names."""

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager

import flask
import psycopg

from dashboard import access
from dashboard.cache import remembered
from geo import clock
from geo.auth.jurisdiction import Jurisdiction, contains
from geo.auth.sessions import use_session
from geo.db.connection import load_query
from geo.db.pool import get_pool
from geo.map import facts
from geo.map.filters import CaseFilter, parse_filter
from geo.map.scope import scope_params
from geo.shared.units import Unit, find_unit, root_unit, unit_path


@contextmanager
def connection(url: str, timeout: float | None = None) -> Iterator[psycopg.Connection]:
    """A pooled connection inside one transaction that presents the signed-in user's session:
    row-level security lets through its jurisdiction (nobody outside a request: no key person
    is visible), and audit entries name its user; with
    `timeout`, psycopg_pool.PoolTimeout after that many seconds without one (the wall reports
    a database that is gone instead of waiting)."""
    with get_pool(url).connection(timeout=timeout) as conn, conn.transaction():
        use_session(conn, access.session_token())
        yield conn


# Where a map starts when nobody is signed in or the database holds no areas: all of China,
# not any one city's.
COUNTRY_VIEW = {"center": [35.0, 105.0], "zoom": 4}


def home_view() -> dict:
    """A map's first view (dl.Map's `center` and `zoom`): about the signed-in user's top unit,
    so that the first tiles asked for are of the place the page will show (the page then fits
    the unit exactly). dash-leaflet takes no plain bounds as the first view."""
    url = flask.current_app.config.get(access.DATABASE_KEY) if flask.has_request_context() else None
    if not url or access.signed_in_user() is None:
        return COUNTRY_VIEW
    with connection(url) as conn:
        unit, _ = resolve_unit(conn, None)
    if unit is None or not unit.bounds:
        return COUNTRY_VIEW
    (south, west), (north, east) = unit.bounds
    span = max(east - west, (north - south) * 1.3, 1e-4)  # a map wider than high
    # Four 256-pixel tiles across a map of about a thousand pixels.
    zoom = max(3, min(18, math.floor(math.log2(360 * 4 / span))))
    return {"center": [(south + north) / 2, (west + east) / 2], "zoom": zoom}


def resolve_unit(conn: psycopg.Connection, code: str | None) -> tuple[Unit | None, bool]:
    """(the unit with this code, whether the code was refused). A code that is unknown or lies
    outside the user's jurisdiction gives the user's own top unit, and the two cases look the
    same. None when nobody is signed in or the database holds no areas."""
    jurisdiction = access.jurisdiction(conn)
    if jurisdiction is None:
        return None, bool(code)
    unit = find_unit(conn, code) if code else None
    if unit is not None and contains(conn, jurisdiction, unit):
        return unit, False
    return home_unit(conn, jurisdiction), bool(code)


def home_unit(conn: psycopg.Connection, jurisdiction: Jurisdiction) -> Unit | None:
    """The top unit of a jurisdiction: its area or grid, or the root for the whole database."""
    return root_unit(conn) if jurisdiction.whole else find_unit(conn, jurisdiction.code)


def visible_path(conn: psycopg.Connection, unit: Unit) -> list[Unit]:
    """The drill-down path to `unit`, from the top of the user's jurisdiction."""
    path = unit_path(conn, unit)
    jurisdiction = access.jurisdiction(conn)
    codes = [step.code for step in path]
    if jurisdiction is None or jurisdiction.whole or jurisdiction.code not in codes:
        return path
    return path[codes.index(jurisdiction.code) :]


def unit_scope(conn: psycopg.Connection, unit: Unit) -> dict:
    """The unit's scope for the map's case queries. An area's (its grids, found by a walk
    down the hierarchy: 70 ms at the top of a province) is remembered a short while and
    shared by the figures of every filter, as the area's answers are (dashboard/cache.py)."""
    if not unit.is_area:
        return scope_params(conn, unit)
    return remembered(
        (conn.info.host, conn.info.port, conn.info.dbname, unit.code, "scope"), lambda: scope_params(conn, unit)
    )


def figure_scope(conn: psycopg.Connection, unit: Unit) -> dict | None:
    """The scope the unit's period figures need: none for an area or a grid, whose figures are
    sums of the daily case facts (geo.map.facts), else `unit_scope`."""
    return None if facts.covers(unit) else unit_scope(conn, unit)


def default_end(conn: psycopg.Connection) -> dt.date:
    """The day of the newest case (today when there is none): the default range ends there."""
    latest = conn.execute(load_query("map/latest_cases_day")).fetchone()[0]
    return latest or clock.today()


def category_names(conn: psycopg.Connection, lang: str) -> dict[str, str]:
    rows = conn.execute(load_query("map/categories")).fetchall()
    return {code: (name_en if lang == "en" else name_zh) for code, _group, name_zh, name_en in rows}


def key_person_category_names(conn: psycopg.Connection, lang: str) -> dict[str, str]:
    rows = conn.execute(load_query("map/key_person_categories")).fetchall()
    return {code: (name_en if lang == "en" else name_zh) for code, _kind, name_zh, name_en in rows}


def resolve_query(conn: psycopg.Connection, raw_filter: dict) -> tuple[dict, list[str]]:
    """The query store's filter part from the URL's raw filter values, and what was ignored."""
    parsed = parse_filter(raw_filter, set(category_names(conn, "zh")), default_end(conn))
    f = parsed.filter
    query = {
        "start": f.start.isoformat(),
        "end": f.end.isoformat(),
        "categories": list(f.categories),
        "sources": list(f.sources),
        "states": list(f.states),
    }
    return query, parsed.ignored


def case_filter(query: dict) -> CaseFilter:
    """The CaseFilter of a query store."""
    return CaseFilter(
        dt.date.fromisoformat(query["start"]),
        dt.date.fromisoformat(query["end"]),
        tuple(query.get("categories") or ()),
        tuple(query.get("sources") or ()),
        tuple(query.get("states") or ()),
    )
