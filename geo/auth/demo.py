"""One demo user per role on whatever city is loaded: the scopes are the first county, its
first township and that township's first basic grid (by code). Passwords are in the README."""

import psycopg

from geo.auth.users import find_user, save_user
from geo.errors import UserError

FIRST_AREA = "SELECT code FROM admin_area WHERE level = %s AND (%s::text IS NULL OR parent_id = (SELECT id FROM admin_area WHERE code = %s)) ORDER BY code LIMIT 1"
FIRST_GRID = """SELECT g.code FROM grid_current g JOIN admin_area c ON c.id = g.community_id
JOIN admin_area t ON t.id = c.parent_id WHERE t.code = %s AND g.is_basic ORDER BY g.code LIMIT 1"""

# username, display name, role, scope ("county", "township", "grid" or None), password
DEMO_USERS = (
    ("wall", "指挥中心大屏", "wall", None, "wall-demo-2026"),
    ("leader", "区县领导", "leader", "county", "leader-demo-2026"),
    ("township", "街道领导", "leader", "township", "township-demo-2026"),
    ("gridworker", "网格员", "grid_worker", "grid", "grid-demo-2026"),
    ("dispatcher", "街道调度员", "dispatcher", "township", "dispatch-demo-2026"),
    ("planner", "网格规划员", "planner", "township", "planner-demo-2026"),
    ("officer", "重点人群专干", "key_person_officer", "township", "officer-demo-2026"),
    ("admin", "系统管理员", "admin", None, "admin-demo-2026"),
)
DEMO_PASSWORDS = {username: password for username, _name, _role, _scope, password in DEMO_USERS}


def create_demo_users(conn: psycopg.Connection, by: str) -> list[tuple[str, str, str | None, bool]]:
    """Create the demo users that are missing; returns (username, role, scope, created) each.
    An existing user is left as it is (its password may have been changed)."""
    scopes = demo_scopes(conn)
    report = []
    for username, name, role, scope_kind, password in DEMO_USERS:
        scope = scopes[scope_kind] if scope_kind else None
        created = find_user(conn, username) is None
        if created:
            save_user(conn, username, name, role, scope, password, by)
        report.append((username, role, scope, created))
    return report


def demo_scopes(conn: psycopg.Connection) -> dict[str, str]:
    """{"county": code, "township": code, "grid": code} of the loaded city."""
    county = _one(conn, FIRST_AREA, [2, None, None], "a county")
    township = _one(conn, FIRST_AREA, [3, county, county], "a township in the first county")
    grid = _one(conn, FIRST_GRID, [township], "a basic grid in the first township")
    return {"county": county, "township": township, "grid": grid}


def _one(conn, query: str, params: list, what: str) -> str:
    row = conn.execute(query, params).fetchone()
    if row is None:
        raise UserError(f"the demo users need {what}; load a city first (python -m data.demo)")
    return row[0]
