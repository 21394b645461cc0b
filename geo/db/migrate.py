"""Apply the numbered `.sql` migrations in order, each once, recorded in `schema_migrations`.

A migration file is never edited after it has been applied: a changed checksum is an error.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from geo.errors import UserError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# Any constant works; it only serialises concurrent migrators of one database.
MIGRATION_LOCK_ID = 4_118_001

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files in order; a misnamed `.sql` file is an error, not skipped."""
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise UserError(f"migration file {path.name} is not named NNNN_name.sql")
        migrations.append(Migration(match.group(1), path.stem, path))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise UserError(f"two migrations share a number in {directory}")
    return migrations


def migrate(conn: psycopg.Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations, each in its own transaction; return the names applied.

    Example
    -------
    >>> with connect() as conn:
    ...     migrate(conn)
    ['0001_extensions', ...]
    """
    with conn.transaction():
        conn.execute(CREATE_LEDGER)
    applied_now = []
    for migration in available_migrations(directory):
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK_ID])
            if _already_applied(conn, migration):
                continue
            _apply(conn, migration)
            applied_now.append(migration.name)
    return applied_now


def _already_applied(conn: psycopg.Connection, migration: Migration) -> bool:
    row = conn.execute("SELECT checksum FROM schema_migrations WHERE version = %s", [migration.version]).fetchone()
    if row is None:
        return False
    if row[0] != migration.checksum:
        raise UserError(
            f"migration {migration.name} changed after it was applied; "
            "add a new migration instead of editing an old one"
        )
    return True


def _apply(conn: psycopg.Connection, migration: Migration) -> None:
    try:
        conn.execute(migration.path.read_text(encoding="utf-8"))
    except psycopg.Error as error:
        raise UserError(f"migration {migration.name} failed: {error.diag.message_primary or error}") from error
    conn.execute(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
        [migration.version, migration.name, migration.checksum],
    )
