"""A throwaway database per test run on the real PostGIS (local cluster or DATABASE_URL).

No mocks: a missing database fails the run. The demo database is never touched.
"""

import datetime as dt
import os
import secrets

import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from data.demo import load_demo
from geo.db import connection
from geo.db.connection import connect, create_database, drop_database, with_dbname
from geo.db.migrate import migrate

DEMO_SEED = 7
DEMO_AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="session")
def server_url() -> str:
    """URL of the server's maintenance database; starts the local cluster when needed."""
    return connection.server_url()


@pytest.fixture(scope="session")
def fresh_database(server_url):
    """Factory of new, migrated, empty databases, dropped at the end of the run."""
    created = []

    def make(migrated: bool = True) -> str:
        url = with_dbname(server_url, f"safety_map_test_{os.getpid()}_{secrets.token_hex(4)}")
        create_database(url)
        created.append(url)
        if migrated:
            with connect(url) as conn:
                migrate(conn)
        return url

    yield make
    for url in created:
        drop_database(url)


@pytest.fixture(scope="session")
def demo_db(fresh_database) -> str:
    """A database holding the small demo city (seed 7), shared by read-only tests."""
    url = fresh_database()
    load_demo(url, scale="small", seed=DEMO_SEED, as_of=DEMO_AS_OF)
    return url


@pytest.fixture(scope="session")
def scored_demo_db(fresh_database) -> str:
    """The small demo city (seed 7) with risk scores as of its last day, for the map's
    read-only tests."""
    from geo.risk.config import load_config
    from geo.risk.store import run_full

    url = fresh_database()
    load_demo(url, scale="small", seed=DEMO_SEED, as_of=DEMO_AS_OF)
    with connect(url) as conn:
        run_full(conn, DEMO_AS_OF, load_config())
    return url


@pytest.fixture
def demo_conn(demo_db):
    """A connection to the demo database inside a transaction that is rolled back."""
    with connect(demo_db) as conn:
        conn.autocommit = False
        yield conn
        conn.rollback()


@pytest.fixture(scope="session")
def city_template(fresh_database) -> str:
    """The small demo city (seed 11) that city_db copies; never written to."""
    url = fresh_database()
    load_demo(url, scale="small", seed=11, as_of=DEMO_AS_OF)
    return url


@pytest.fixture
def city_db(city_template, server_url):
    """A private copy of the small demo city."""
    yield from copy_database(city_template, server_url)


def copy_database(template_url: str, server_url: str):
    """Yield the URL of a new copy of the database at `template_url`; drop it afterwards."""
    name = f"safety_map_copy_{secrets.token_hex(4)}"
    template = conninfo_to_dict(template_url)["dbname"]
    with connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    url = with_dbname(server_url, name)
    yield url
    drop_database(url)
