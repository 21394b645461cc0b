"""Dashboard users: one role and one jurisdiction each (geo/auth/roles.py)."""

import getpass
from dataclasses import dataclass

import psycopg

from geo.audit.log import record
from geo.auth.passwords import hash_password
from geo.auth.roles import ROLES, SCOPE_KINDS
from geo.errors import UserError
from geo.shared.units import find_unit

USER_COLUMNS = "id, username, display_name, role, scope_code"
INSERT_USER = """INSERT INTO auth.app_user (username, display_name, role, scope_code, password_hash)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role,
    scope_code = EXCLUDED.scope_code, password_hash = EXCLUDED.password_hash, active = true,
    password_changed_at = now()
RETURNING id, (xmax = 0) AS created"""
FIND_USER = f"SELECT {USER_COLUMNS}, password_hash, active FROM auth.app_user WHERE username = %s"
LIST_USERS = "SELECT username, display_name, role, scope_code, active, created_at FROM auth.app_user ORDER BY id"
SET_ACTIVE = "UPDATE auth.app_user SET active = %s WHERE username = %s RETURNING id"


@dataclass(frozen=True)
class User:
    """A signed-in user; `scope_code` None is the whole database."""

    id: int
    username: str
    display_name: str
    role: str
    scope_code: str | None


def save_user(conn, username: str, display_name: str, role: str, scope_code: str | None, password: str, by: str) -> int:
    """Create the user, or replace its name, role, scope and password; returns its id.

    The scope must suit the role (a leader's is a county or a township, a grid worker's a basic
    grid, an administrator's the whole database). Audited as user.created / user.changed.
    """
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    scope_code = (scope_code or "").strip() or None
    _check_scope(conn, role, scope_code)
    user_id, created = conn.execute(
        INSERT_USER, [username, display_name, role, scope_code, hash_password(password)]
    ).fetchone()
    action = "user.created" if created else "user.changed"
    record(conn, by, action, username, {"role": role, "scope": scope_code})
    return user_id


def _check_scope(conn, role: str, scope_code: str | None) -> None:
    kinds = SCOPE_KINDS[role]
    if scope_code is None:
        if None not in kinds:
            raise UserError(f"a {role} needs a scope: {_kinds_text(kinds)}")
        return
    unit = find_unit(conn, scope_code)
    if unit is None or unit.kind not in kinds:
        found = f"a {unit.kind}" if unit else "nothing"
        raise UserError(f"the scope of a {role} must be {_kinds_text(kinds)}; {scope_code!r} is {found}")


def _kinds_text(kinds: set) -> str:
    return " or ".join("the whole database" if kind is None else f"a {kind} code" for kind in sorted(kinds, key=str))


def find_user(conn, username: str) -> tuple[User, str, bool] | None:
    """(the user, its password hash, whether active), or None. The owner's (the command line):
    the dashboard's role reads no hash and signs in through geo.auth.sessions.sign_in."""
    row = conn.execute(FIND_USER, [username]).fetchone()
    return (User(*row[:5]), row[5], row[6]) if row else None


def list_users(conn) -> list[tuple]:
    return conn.execute(LIST_USERS).fetchall()


def set_active(conn, username: str, active: bool, by: str) -> None:
    """Enable or disable a user; a disabled user's sessions stop working at once."""
    if conn.execute(SET_ACTIVE, [active, username]).fetchone() is None:
        raise UserError(f"no user {username!r}")
    record(conn, by, "user.changed", username, {"active": active})


def connection_user(conn: psycopg.Connection) -> str:
    """Who a command-line change is recorded as: the operating-system user, else the database's."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:{conn.info.user}"
