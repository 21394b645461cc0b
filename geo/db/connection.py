"""Connections to the safety-map database.

`database_url()` is the one place that decides which database we talk to: `DATABASE_URL`
when set (nothing is started), else the project's local cluster, started on demand, as its
owner role (the superuser only creates and drops databases: `admin_url`).
"""

import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.db.cluster import APP_ROLE, OWNER_ROLE, SERVER_USER, LocalCluster
from geo.db.cluster_auth import passfile_for_role, sibling_passfile
from geo.db.ownership import prepare_database
from geo.errors import UserError
from geo.settings import Settings, get_settings

T = TypeVar("T")

QUERIES_DIR = Path(__file__).parent / "queries"
_PREPARED: set[str] = set()  # the local databases this process has created or prepared


def database_url(settings: Settings | None = None) -> str:
    """URL of the application database; starts the local cluster when needed.

    With `DATABASE_URL` set it is returned unchanged: its role does everything. Otherwise the
    local cluster is started (idempotent), the database `settings.db_name` created when
    missing and prepared (geo/db/ownership.py), and the URL is the owner role's.
    """
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    url = with_dbname(server_url(settings), settings.db_name)
    if url not in _PREPARED:  # once a process: preparing costs two superuser connections
        create_database(url)
        _PREPARED.add(url)
    return url


def server_url(settings: Settings | None = None) -> str:
    """URL of the server's maintenance database `postgres`, for creating scratch databases
    (tests, benchmarks); starts the local cluster unless `DATABASE_URL` is set. With the local
    cluster it is the owner role's: a database created from it is the owner's, and
    `create_database` and `drop_database` switch to the superuser themselves."""
    settings = settings or get_settings()
    if settings.database_url:
        return with_dbname(settings.database_url, "postgres")
    cluster = LocalCluster.from_settings(settings)
    cluster.start()
    return cluster.url("postgres", OWNER_ROLE)


def admin_url(url: str) -> str:
    """`url` as the local cluster's superuser, when it names a password file of the cluster
    beside the superuser's; else `url` itself (`DATABASE_URL`: its role does everything).
    Only for creating and dropping databases, roles and extensions."""
    return _as_role(url, SERVER_USER)


def owner_url(url: str) -> str:
    """`url` as the owner role of the local cluster (as `admin_url` decides), else `url`."""
    return _as_role(url, OWNER_ROLE)


def _as_role(url: str, role: str) -> str:
    params = conninfo_to_dict(url)
    passfile = sibling_passfile(params["passfile"], role) if params.get("passfile") else None
    if passfile is None:
        return url
    params.pop("password", None)
    return make_conninfo(**{**params, "user": role, "passfile": passfile})


def app_database_url(url: str | None = None, settings: Settings | None = None) -> str:
    """How the dashboard connects to database `url`: as the role safety_map_app, which owns no
    table, so that row-level security holds (`SAFETY_MAP_APP_DATABASE_URL` when set). A URL
    naming a password file of the local cluster gets the role's own file in its place."""
    settings = settings or get_settings()
    if settings.app_database_url:
        return settings.app_database_url
    params = conninfo_to_dict(url or database_url(settings))
    params.pop("password", None)
    params["user"] = APP_ROLE
    if params.get("passfile"):
        params["passfile"] = passfile_for_role(params["passfile"], APP_ROLE)
    return make_conninfo(**params)


def session_options() -> str:
    """Settings of every session: times in the configured zone, and no JIT compiling. Over a
    province the planner prices many queries above JIT's threshold, and compiling cost more
    than it saved: the grid adjacency of a risk run spent 1.1 of its 2.1 s compiling."""
    return f"-c timezone={get_settings().timezone} -c jit=off"


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    """Open a connection whose session time zone is the configured one (Asia/Shanghai).

    Such a connection acts for the whole database (row-level security's scope 'all'): the
    command line and background jobs. The dashboard's requests use its pool instead, with the
    signed-in user's scope set per transaction (geo/auth/jurisdiction.py).
    """
    url = url or database_url()
    options = f"{session_options()} -c safety_map.scope=all"
    try:
        return psycopg.connect(url, options=options, **kwargs)
    except psycopg.OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise UserError(f"cannot connect to {redact(url)}: {first_line}") from error


@contextmanager
def transaction(url: str | None = None) -> Iterator[psycopg.Connection]:
    """A connection inside one transaction: committed on success, rolled back on error."""
    with connect(url) as conn, conn.transaction():
        yield conn


def export_snapshot(conn: psycopg.Connection) -> str:
    """The snapshot of conn's open transaction now, for `sibling` connections to read in.
    Only of a transaction that has written nothing: a sibling would not see its writes. (In
    READ COMMITTED, conn's own later statements see later commits; a sibling does not.)"""
    return conn.execute("SELECT pg_export_snapshot()").fetchone()[0]


@contextmanager
def sibling(conn: psycopg.Connection, snapshot: str) -> Iterator[psycopg.Connection]:
    """A second connection to conn's database, as its role and with the settings it was
    opened with (`connect`'s options, not those SET since), inside a read-only transaction
    that sees `snapshot` (`export_snapshot` of conn): for reading on a second core."""
    with psycopg.connect(conn.info.dsn, password=conn.info.password or None) as other:
        other.isolation_level, other.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
        other.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        yield other


@contextmanager
def in_background(
    conn: psycopg.Connection, snapshot: str | None, read: Callable[[psycopg.Connection], T]
) -> Iterator[Callable[[], T]]:
    """`read(connection)` on a `sibling` of conn in a thread, while the block goes on with
    conn; yields the function that waits for its result. Without a snapshot, `read(conn)`
    runs when its result is asked for."""
    if snapshot is None:
        yield lambda: read(conn)
        return
    with sibling(conn, snapshot) as other, ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(read, other).result


def with_dbname(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return make_conninfo(**params)


def create_database(url: str, template: str | None = None) -> bool:
    """Create the database named in `url` (UTF-8, C.UTF-8; or a copy of the database
    `template`, which nobody may be connected to) when missing, owned by the URL's role; True
    if created. Then, on the local cluster, prepare it as the superuser (extensions,
    ownership: geo/db/ownership.py); a copy is as prepared as its template."""
    params, admin = conninfo_to_dict(url), admin_url(url)
    owner = params.get("user") if conninfo_to_dict(admin).get("user") != params.get("user") else None
    with connect(with_dbname(admin, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["dbname"]]).fetchone()
        if not exists:
            _create(conn, params["dbname"], owner, template)
    if owner and not (template and not exists):
        with connect(with_dbname(admin, params["dbname"]), autocommit=True) as conn:
            prepare_database(conn, owner)
    return not exists


def _create(admin: psycopg.Connection, dbname: str, owner: str | None, template: str | None) -> None:
    """CREATE DATABASE as `admin`: owned by `owner` (None: by the admin's role)."""
    name = sql.Identifier(dbname)
    owned = sql.SQL(" OWNER {}").format(sql.Identifier(owner)) if owner else sql.SQL("")
    if template:
        admin.execute(sql.SQL("CREATE DATABASE {}{} TEMPLATE {}").format(name, owned, sql.Identifier(template)))
        return
    admin.execute(
        sql.SQL(
            "CREATE DATABASE {}{} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        ).format(name, owned)
    )
    # psql and other clients then show times in the configured zone too.
    admin.execute(sql.SQL("ALTER DATABASE {} SET timezone TO {}").format(name, sql.Literal(get_settings().timezone)))


def drop_database(url: str) -> None:
    """Drop the database named in `url`, closing its other sessions first."""
    dbname = conninfo_to_dict(url)["dbname"]
    _PREPARED.clear()  # a database of that name made again must be prepared again
    with connect(with_dbname(admin_url(url), "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


@functools.cache  # read once per process (a boundary preview alone asks for some forty)
def load_query(name: str) -> str:
    """Text of the named query file in `geo/db/queries/`."""
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    params = conninfo_to_dict(url)
    if "password" in params:
        params["password"] = "***"
    return make_conninfo(**params)
