"""Passwords of the project's local cluster.

Every connection, over TCP or the Unix socket, proves a password with SCRAM-SHA-256. Each role
the project logs in as has its own random password, kept in a libpq password file
`<cluster home>/secrets/<role>.pgpass` (mode 0600, in a 0700 directory of the user that runs
the project: root or the service user). Connection URLs name that file (`passfile=`), never
the password, so printing or passing a URL gives nothing away.

The server only ever receives SCRAM verifiers, computed here, so no plain password reaches its
log. A cluster made by an earlier version, which let every local user in without a password,
is converted on its next start: passwords set, `pg_hba.conf` rewritten, configuration reloaded.
"""

import base64
import fcntl
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

SCRAM_ITERATIONS = 4096
# What a role other than the server's superuser may not do, whatever an earlier version gave it.
PLAIN_ROLE = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
PASSWORD_BYTES = 32
# Our only authentication rules: a password (SCRAM) for every local socket and loopback TCP
# connection; no other address can connect (the server listens on 127.0.0.1 only).
HBA_CONF = """# Written by geo/db/cluster_auth.py on every start; edits are replaced.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""


def secrets_dir(home: Path) -> Path:
    """Directory of the password files of the cluster at `home`."""
    return home / "secrets"


def passfile(home: Path, role: str) -> Path:
    """The libpq password file of `role` in the cluster at `home`."""
    return secrets_dir(home) / f"{role}.pgpass"


def passfile_for_role(current: str, role: str) -> str:
    """The password file of `role` beside `current` (another role's file of the same
    cluster), or `current` itself when there is none, e.g. a shared ~/.pgpass.

    >>> passfile_for_role("/c/secrets/postgres.pgpass", "safety_map_app")  # when it exists
    '/c/secrets/safety_map_app.pgpass'
    """
    return sibling_passfile(current, role) or current


def sibling_passfile(current: str, role: str) -> str | None:
    """The password file of `role` beside `current` when `current` is one of a cluster's
    role files (`<role>.pgpass`) and that sibling exists; else None."""
    path = Path(current)
    if path.suffix != ".pgpass":
        return None
    sibling = path.with_name(f"{role}.pgpass")
    return str(sibling) if sibling.is_file() else None


def password(home: Path, role: str) -> str:
    """The password of `role`, created (random, mode 0600) when it has none yet."""
    path = passfile(home, role)
    if path.is_file():
        return path.read_text(encoding="ascii").strip().rsplit(":", 1)[1]
    folder = secrets_dir(home)
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    secret = secrets.token_urlsafe(PASSWORD_BYTES)  # no ':' or '\\', which .pgpass escapes
    write_private(path, f"*:*:*:{role}:{secret}\n")
    return secret


def is_secured(home: Path, data_dir: Path, roles: tuple[str, ...]) -> bool:
    """True when `pg_hba.conf` holds our rules and every role has its password file."""
    hba = data_dir / "pg_hba.conf"
    if not hba.is_file() or hba.read_text(encoding="utf-8") != HBA_CONF:
        return False
    return all(passfile(home, role).is_file() for role in roles)


@contextmanager
def locked(home: Path) -> Iterator[None]:
    """Hold the cluster's set-up lock, so that two processes do not write passwords at once."""
    folder = secrets_dir(home)
    folder.mkdir(mode=0o700, exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def set_login_password(conn: psycopg.Connection, role: str, secret: str, plain: bool = True) -> None:
    """Give `role` the password `secret` (as a SCRAM verifier), creating it when missing. A
    `plain` role is made (or made again) a login role without any power of its own: no
    superuser, no role or database creation, no replication, no row-security bypass."""
    verifier = sql.Literal(scram_verifier(secret))
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
    statement = "ALTER ROLE {} LOGIN {} PASSWORD {}" if exists else "CREATE ROLE {} LOGIN {} PASSWORD {}"
    powers = sql.SQL(PLAIN_ROLE if plain else "")
    conn.execute(sql.SQL(statement).format(sql.Identifier(role), powers, verifier))


def scram_verifier(secret: str, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `secret` (RFC 5802, as `\\password`
    computes it), so that the plain password never reaches the server."""
    salt = salt or os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(text)
    path.chmod(0o600)
