"""Login sessions kept in the database (auth.app_session): the browser holds a random token,
the server decides whether it is still good. A session ends at logout, at its expiry, after
being idle too long (not for the wall screen, which runs for days), when revoked, or when
its user is disabled."""

import datetime as dt
import hashlib
import secrets

import psycopg

from geo.audit.log import record
from geo.auth.users import User
from geo.db.connection import load_query
from geo.settings import get_settings

# last_seen is written at most this often, not on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)
CREATE = """INSERT INTO auth.app_session (token_hash, user_id, expires_at, user_agent, address)
VALUES (%s, %s, now() + make_interval(hours => %s), %s, %s)"""
TOUCH = "UPDATE auth.app_session SET last_seen = now() WHERE token_hash = %s"
REVOKE = "UPDATE auth.app_session SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL"
REVOKE_USER = """UPDATE auth.app_session s SET revoked_at = now() FROM auth.app_user u
WHERE u.id = s.user_id AND u.username = %s AND s.revoked_at IS NULL AND s.expires_at > now()"""


def open_session(conn: psycopg.Connection, user: User, user_agent: str = "", address: str = "") -> str:
    """A new session for `user`; returns the token for the browser (stored only hashed)."""
    token = secrets.token_urlsafe(32)
    hours = get_settings().wall_session_hours if user.role == "wall" else get_settings().session_hours
    conn.execute(CREATE, [token_hash(token), user.id, hours, user_agent[:300], address[:100]])
    return token


def session_user(conn: psycopg.Connection, token: str) -> User | None:
    """The user of a live session, or None; notes the session as seen."""
    if not token or len(token) > 100:
        return None
    row = conn.execute(load_query("auth/session_user"), {"token_hash": token_hash(token)}).fetchone()
    if row is None:
        return None
    user, idle = User(*row[:5]), row[5]
    if user.role != "wall" and idle > dt.timedelta(minutes=get_settings().session_idle_minutes):
        return None
    if idle > TOUCH_EVERY:
        conn.execute(TOUCH, [token_hash(token)])
    return user


def close_session(conn: psycopg.Connection, token: str, actor: str) -> None:
    """Logout: the session is revoked and the logout audited."""
    conn.execute(REVOKE, [token_hash(token)])
    record(conn, actor, "logout")


def revoke_sessions(conn: psycopg.Connection, username: str, by: str) -> int:
    """End every live session of a user; returns how many. Audited as session.revoked."""
    count = conn.execute(REVOKE_USER, [username]).rowcount
    record(conn, by, "session.revoked", username, {"sessions": count})
    return count


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
