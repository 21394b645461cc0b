"""Connections to the safety-map database.

`database_url()` is the one place that decides which database we talk to: `DATABASE_URL`
when set (nothing is started), else the project's local cluster, started on demand.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.db.cluster import APP_ROLE, LocalCluster
from geo.db.cluster_auth import passfile_for_role
from geo.errors import UserError
from geo.settings import Settings, get_settings

QUERIES_DIR = Path(__file__).parent / "queries"


def database_url(settings: Settings | None = None) -> str:
    """URL of the application database; starts the local cluster when needed.

    With `DATABASE_URL` set it is returned unchanged. Otherwise the local cluster is
    started (idempotent) and the database `settings.db_name` created when missing.
    """
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    url = with_dbname(server_url(settings), settings.db_name)
    create_database(url)
    return url


def server_url(settings: Settings | None = None) -> str:
    """URL of the server's maintenance database `postgres`, for creating scratch databases
    (tests, benchmarks); starts the local cluster unless `DATABASE_URL` is set."""
    settings = settings or get_settings()
    if settings.database_url:
        return with_dbname(settings.database_url, "postgres")
    cluster = LocalCluster.from_settings(settings)
    cluster.start()
    return cluster.url("postgres")


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


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    """Open a connection whose session time zone is the configured one (Asia/Shanghai).

    Such a connection acts for the whole database (row-level security's scope 'all'): the
    command line and background jobs. The dashboard's requests use its pool instead, with the
    signed-in user's scope set per transaction (geo/auth/jurisdiction.py).
    """
    url = url or database_url()
    options = f"-c timezone={get_settings().timezone} -c safety_map.scope=all"
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


def with_dbname(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return make_conninfo(**params)


def create_database(url: str) -> bool:
    """Create the database named in `url` (UTF-8, C.UTF-8) when missing; True if created."""
    dbname = conninfo_to_dict(url)["dbname"]
    with connect(with_dbname(url, "postgres"), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if exists:
            return False
        admin.execute(
            sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            ).format(sql.Identifier(dbname))
        )
        # psql and other clients then show times in the configured zone too.
        admin.execute(
            sql.SQL("ALTER DATABASE {} SET timezone TO {}").format(
                sql.Identifier(dbname), sql.Literal(get_settings().timezone)
            )
        )
    return True


def drop_database(url: str) -> None:
    """Drop the database named in `url`, closing its other sessions first."""
    dbname = conninfo_to_dict(url)["dbname"]
    with connect(with_dbname(url, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def load_query(name: str) -> str:
    """Text of the named query file in `geo/db/queries/`."""
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    params = conninfo_to_dict(url)
    if "password" in params:
        params["password"] = "***"
    return make_conninfo(**params)
