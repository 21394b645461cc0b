"""Risk scores and key-person counts of a unit's children, its top risk grids, and the
profiles of a grid and a building. Key persons leave here as counts only, and counts below
`small_count_k` leave as None (suppressed)."""

import psycopg

from geo.db.connection import load_query
from geo.db.frames import query_frame
from geo.map.scope import scope_params
from geo.map.units import Unit
from geo.settings import get_settings

TOP_GRIDS = 10


def latest_risk(conn: psycopg.Connection, codes: list[str]) -> dict[str, dict]:
    """{code: the latest risk row (score, level, interval, hotspot, trend, explanations)}."""
    if not codes:
        return {}
    frame = query_frame(conn, load_query("map/risk_latest"), {"codes": codes})
    return {row["code"]: row for row in frame.to_dict("records")}


def top_grids(conn: psycopg.Connection, unit: Unit, limit: int = TOP_GRIDS) -> list[dict]:
    """The unit's basic grids with the highest latest risk score: code, name, score, level,
    hotspot, trend_week."""
    if not unit.is_area:
        return []
    params = {**scope_params(conn, unit), "limit": limit}
    return query_frame(conn, load_query("map/top_grids"), params).to_dict("records")


def child_key_persons(conn: psycopg.Connection, unit: Unit) -> dict[str, int | None]:
    """{child code: active key persons} for the children of an area; None where the count is
    below k (suppressed). Below the area levels there are no per-child counts."""
    if not unit.is_area:
        return {}
    rows = conn.execute(load_query("map/key_persons_by_child"), scope_params(conn, unit)).fetchall()
    return {code: suppress(persons) for code, persons in rows}


def key_persons_by_category(conn: psycopg.Connection, unit: Unit) -> dict[str, int | None]:
    """{category: active key persons} of a basic grid or a building, suppressed below k."""
    if unit.kind not in ("grid", "building"):
        raise ValueError(f"key persons by category are counted for a grid or a building, not a {unit.kind}")
    rows = conn.execute(load_query(f"map/key_persons_by_category_{unit.kind}"), {"code": unit.code}).fetchall()
    return {category: suppress(persons) for category, persons in rows}


def suppress(count: int) -> int | None:
    """The count, or None when it is below the configured k."""
    return count if count >= get_settings().small_count_k else None


def grid_profile(conn: psycopg.Connection, code: str) -> dict | None:
    """A basic grid's facts (households, community, micro-grids, cameras, key places) and its
    staff as a list of {role, name}; None when no basic grid has the code."""
    return _profile(conn, code, "map/grid_profile", "staff", "map/grid_staff")


def building_profile(conn: psycopg.Connection, code: str) -> dict | None:
    """A building's facts (address, kind, floors, households, grid) and its units as a list of
    {unit_no, floors, households}; None when no building has the code."""
    return _profile(conn, code, "map/building_profile", "units", "map/building_units")


def _profile(conn, code: str, facts_query: str, list_name: str, list_query: str) -> dict | None:
    frame = query_frame(conn, load_query(facts_query), {"code": code})
    if frame.empty:
        return None
    profile = frame.to_dict("records")[0]
    profile[list_name] = query_frame(conn, load_query(list_query), {"code": code}).to_dict("records")
    return profile
