"""API tokens for the open geodata services (migration 0037): a token is a session of kind
'api' of a user, so every request made with it sees exactly what the map shows that user
(row-level security through `auth.use_session`), and is counted.

Tokens are made and revoked by the owner (the command line: `python -m geo users token`);
the web role only checks them (`auth.check_api_token`). The token is shown once; the
database keeps its SHA-256.

Example:
    >>> token = create_token(conn, "leader", "QGIS on the analyst's PC", days=365, by="admin")
    >>> api_user(conn, token)      # User(..., role='leader', ...), the request counted
"""

import secrets

import psycopg

from geo.audit.log import record
from geo.auth.users import User
from geo.errors import UserError

MAX_DAYS = 3650
NAME_MAX = 60
CREATE = """
INSERT INTO auth.app_session (token_hash, user_id, expires_at, idle_limit, kind, name)
SELECT encode(sha256(convert_to(%(token)s, 'UTF8')), 'hex'), u.id, now() + make_interval(days => %(days)s), NULL,
       'api', %(name)s
FROM auth.app_user u WHERE u.username = %(username)s AND u.active
RETURNING token_id"""
LIST = """
SELECT s.token_id, s.name, s.created_at, s.expires_at, s.revoked_at, s.last_seen, s.requests
FROM auth.app_session s JOIN auth.app_user u ON u.id = s.user_id
WHERE s.kind = 'api' AND u.username = %s ORDER BY s.token_id"""
REVOKE = """
UPDATE auth.app_session s SET revoked_at = now() FROM auth.app_user u
WHERE u.id = s.user_id AND s.kind = 'api' AND s.token_id = %s AND s.revoked_at IS NULL
RETURNING u.username, s.name"""


def create_token(conn: psycopg.Connection, username: str, name: str, days: int, by: str) -> str:
    """A new API token of an active user, valid `days`; audited as token.created."""
    name = (name or "").strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise UserError(f"a token needs a name of 1 to {NAME_MAX} characters (what or who uses it)")
    if not 1 <= days <= MAX_DAYS:
        raise UserError(f"a token is valid for 1 to {MAX_DAYS} days")
    token = "smt_" + secrets.token_urlsafe(32)
    row = conn.execute(CREATE, {"token": token, "days": days, "name": name, "username": username}).fetchone()
    if row is None:
        raise UserError(f"no active user {username!r}")
    record(conn, by, "token.created", username, {"token_id": row[0], "name": name, "days": days})
    return token


def list_tokens(conn: psycopg.Connection, username: str) -> list[tuple]:
    """(id, name, created, expires, revoked, last used, requests) of each of a user's tokens."""
    return conn.execute(LIST, [username]).fetchall()


def revoke_token(conn: psycopg.Connection, token_id: int, by: str) -> str:
    """Revoke a token at once; audited as token.revoked. Returns its user's name."""
    row = conn.execute(REVOKE, [token_id]).fetchone()
    if row is None:
        raise UserError(f"no live API token with id {token_id}")
    record(conn, by, "token.revoked", row[0], {"token_id": token_id, "name": row[1]})
    return row[0]


def api_user(conn: psycopg.Connection, token: str | None) -> User | None:
    """The user of a live API token (the request counted), None for anything else."""
    if not token or len(token) > 100:
        return None
    row = conn.execute("SELECT * FROM auth.check_api_token(%s)", [token]).fetchone()
    return User(*row) if row else None
