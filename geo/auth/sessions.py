"""Login sessions kept in the database (auth.app_session): the browser holds a random token,
the server decides whether it is still good. A session ends at logout, at its expiry, after
being idle too long (not for the wall screen, which runs for days), when revoked, or when
its user is disabled.

The dashboard's role reads no session row and no password hash: it signs in, checks, presents
and closes sessions through the database's functions (migration 0017), each of which takes
only the token or the typed name and the proof of the password."""

import secrets
from collections.abc import Callable

import psycopg

from geo.audit.log import record
from geo.auth.passwords import hash_like
from geo.auth.users import User
from geo.settings import get_settings

MAX_TOKEN_LENGTH = 100
SIGN_IN = "SELECT * FROM auth.sign_in(%s, %s, %s, %s, %s, %s, %s, %s)"
REVOKE_USER = """UPDATE auth.app_session s SET revoked_at = now() FROM auth.app_user u
WHERE u.id = s.user_id AND u.username = %s AND s.revoked_at IS NULL AND s.expires_at > now()"""


def sign_in(
    conn: psycopg.Connection,
    username: str,
    password: str,
    user_agent: str = "",
    address: str = "",
    hash_with: Callable[[str, str], str] = hash_like,
) -> tuple[User, str] | None:
    """(the user, the token for the browser) when `password` is the user's and the user is
    active, else None. The database opens the session and audits the sign-in or its failure.

    The typed password is hashed here with the salt and parameters of the stored hash (made-up
    ones for an unknown user: the same hashing time) and only that hash is compared, by the
    database: without the password nobody, the dashboard's role included, can open a session.
    `hash_with(salt, password)` does the hashing (the dashboard bounds how many run at once).

    Example:
        >>> user, token = sign_in(conn, "officer", "officer-demo-2026")
    """
    salt = conn.execute("SELECT auth.password_salt(%s)", [username]).fetchone()[0]
    proof = hash_with(salt, password)
    token = secrets.token_urlsafe(32)
    settings = get_settings()
    hours = [settings.session_hours, settings.wall_session_hours, settings.session_idle_minutes]
    row = conn.execute(SIGN_IN, [username, proof, token, *hours, user_agent[:300], address[:100]]).fetchone()
    return (User(*row), token) if row else None


def session_user(conn: psycopg.Connection, token: str) -> User | None:
    """The user of a live session, or None; notes the session as seen."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = conn.execute("SELECT * FROM auth.check_session(%s)", [token]).fetchone()
    return User(*row) if row else None


def use_session(conn: psycopg.Connection, token: str | None) -> bool:
    """Present the session of `token` until the current transaction ends: row-level security
    then lets through what its user's jurisdiction holds, and audit entries name its user.
    None or a dead session presents nobody (no key person is visible). Returns whether the
    session lives."""
    token = token if token and len(token) <= MAX_TOKEN_LENGTH else ""
    return conn.execute("SELECT auth.use_session(%s)", [token]).fetchone()[0]


def close_session(conn: psycopg.Connection, token: str) -> None:
    """Logout: the session is revoked and the logout audited as its user's."""
    conn.execute("SELECT auth.close_session(%s)", [token])


def revoke_sessions(conn: psycopg.Connection, username: str, by: str) -> int:
    """End every live session of a user (the command line, as the owner); returns how many.
    Audited as session.revoked."""
    count = conn.execute(REVOKE_USER, [username]).rowcount
    record(conn, by, "session.revoked", username, {"sessions": count})
    return count
