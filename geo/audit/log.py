"""Writing to the audit log. The database numbers, times and chains each entry (trigger
audit.chain_entry); the caller says who did what to which.

Actions: login, login.failed, logout, session.revoked, user.created, user.changed,
key_person.view, key_person.export, boundary.commit, access.denied.
"""

import psycopg
from psycopg.types.json import Jsonb

INSERT = "INSERT INTO audit.log (actor, action, target, detail) VALUES (%s, %s, %s, %s)"


def record(conn: psycopg.Connection, actor: str, action: str, target: str = "", detail: dict | None = None) -> None:
    """Append one entry in the caller's transaction: it is kept only if that commits.

    Example:
        >>> record(conn, "officer", "key_person.view", "411802001001", {"persons": ["KP-001"]})
    """
    conn.execute(INSERT, [actor, action, target or "", Jsonb(detail or {})])
