"""Writing to the audit log. The database numbers, times and chains each entry (trigger
audit.chain_entry); the caller says what was done to which.

Every entry goes through the database function audit.record (migration 0017). As the
dashboard's role the actor is the user of the session the transaction presents
(geo.auth.sessions.use_session), whatever the caller names; with no live session only sign-in
events are taken, as 'anonymous'. The command line (the owner) names the actor itself.

Repeats are counted, not repeated: an entry that repeats one less than a minute old (the same
actor, action and key: audit.repeat_key) only adds to its run's count, and the run is written
to the chain as one summary entry, {"repeats_of": the first entry's id, "times": n, "last_at",
"variants"}, once its minute is over (at the next entry, or at `flush`). Names a caller can
make up (a refused callback's output, a typed username that names nobody) are no part of the
key, so they cannot multiply entries.

Actions: login, login.failed, login.unlocked, logout, session.revoked, user.created, user.changed,
key_person.view, key_person.export, boundary.commit, access.denied, token.created, token.revoked.
"""

import psycopg
from psycopg.types.json import Jsonb

RECORD = "SELECT audit.record(%s, %s, %s, %s)"


def record(conn: psycopg.Connection, actor: str, action: str, target: str = "", detail: dict | None = None) -> None:
    """Append one entry in the caller's transaction: it is kept only if that commits.

    Example:
        >>> record(conn, "officer", "key_person.view", "411802001001", {"persons": ["KP-001"]})
    """
    conn.execute(RECORD, [actor, action, target or "", Jsonb(detail or {})])


def flush(conn: psycopg.Connection, everything: bool = False) -> int:
    """Write the counted runs whose minute is over (with `everything`, all of them) to the
    chain as summary entries; returns how many runs were closed. Needs the owner's rights."""
    return conn.execute("SELECT audit.flush(%s)", [everything]).fetchone()[0]
