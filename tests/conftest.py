"""A throwaway database per test run on the real PostGIS (local cluster or DATABASE_URL).

No mocks: a missing database fails the run. The demo database is never touched. With the
local cluster every URL here is the owner role's (migrations, imports and demo loads run as
it); creating and dropping databases switch to the superuser (geo.db.connection.admin_url).
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import pytest
from filelock import FileLock
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
def templates(server_url, tmp_path_factory, testrun_uid):
    """Databases built once per run and shared by every pytest-xdist worker: the first worker
    that needs one builds it under a file lock, the others wait and copy it. They are never
    written to; the controller drops them at the end (pytest_sessionfinish below)."""
    return RunTemplates(server_url, _run_directory(tmp_path_factory), testrun_uid[:8])


@pytest.fixture(scope="session")
def demo_template(templates) -> str:
    """The small demo city (seed 7) as of DEMO_AS_OF; copied, never written to."""
    return templates.get("demo7", lambda url: load_demo(url, scale="small", seed=DEMO_SEED, as_of=DEMO_AS_OF))


@pytest.fixture(scope="session")
def demo_db(demo_template, server_url) -> str:
    """This worker's copy of the small demo city (seed 7), shared by read-only tests."""
    yield from copy_database(demo_template, server_url)


@pytest.fixture(scope="session")
def scored_template(templates, demo_template) -> str:
    """The small demo city (seed 7) with risk scores as of its last day; copied, never written to."""

    def score(url: str) -> None:
        from geo.risk.config import load_config
        from geo.risk.store import run_full

        with connect(url) as conn:
            run_full(conn, DEMO_AS_OF, load_config())

    return templates.get("scored7", score, based_on=demo_template)


@pytest.fixture(scope="session")
def scored_demo_db(scored_template, server_url) -> str:
    """This worker's copy of the scored small demo city, for the map's read-only tests."""
    yield from copy_database(scored_template, server_url)


@pytest.fixture
def demo_conn(demo_db):
    """A connection to the demo database inside a transaction that is rolled back."""
    with connect(demo_db) as conn:
        conn.autocommit = False
        yield conn
        conn.rollback()


@pytest.fixture(scope="session")
def city_template(templates) -> str:
    """The small demo city (seed 11) that city_db copies; never written to."""
    return templates.get("city11", lambda url: load_demo(url, scale="small", seed=11, as_of=DEMO_AS_OF))


@pytest.fixture
def city_db(city_template, server_url):
    """A private copy of the small demo city."""
    yield from copy_database(city_template, server_url)


def copy_database(template_url: str, server_url: str):
    """Yield the URL of a new copy of the database at `template_url`; drop it afterwards."""
    url = with_dbname(server_url, f"safety_map_copy_{secrets.token_hex(4)}")
    clone_database(template_url, url)
    yield url
    drop_database(url)


def clone_database(template_url: str, url: str) -> None:
    """CREATE DATABASE `url` as a copy of `template_url` (which nobody may be connected to),
    owned by the owner role like its template; the superuser creates it."""
    create_database(url, template=conninfo_to_dict(template_url)["dbname"])


class RunTemplates:
    """Template databases of one test run, named after the run, built once across workers."""

    def __init__(self, server_url: str, directory: Path, run_id: str):
        self.server_url, self.directory, self.run_id = server_url, directory, run_id

    def get(self, name: str, fill, based_on: str | None = None) -> str:
        """URL of the run's template `name`: a new migrated database (or a copy of `based_on`)
        that `fill(url)` filled, built by whichever worker asks first."""
        url = with_dbname(self.server_url, f"safety_map_tpl_{self.run_id}_{name}")
        marker = self.directory / f"{name}.built"
        with FileLock(self.directory / f"{name}.lock"):
            if not marker.exists():
                self._build(url, fill, based_on)
                marker.write_text(url)
        return url

    @staticmethod
    def _build(url: str, fill, based_on: str | None) -> None:
        drop_database(url)  # what a failed build of this run left
        try:
            if based_on:
                clone_database(based_on, url)
            else:
                create_database(url)
                with connect(url) as conn:
                    migrate(conn)
            fill(url)
        except BaseException:
            drop_database(url)
            raise


def _run_directory(tmp_path_factory) -> Path:
    """A directory every worker of this run shares: the controller's base temp directory."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def pytest_sessionfinish(session):
    """The controller (or a run without workers) drops the run's templates."""
    if hasattr(session.config, "workerinput"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    for marker in factory.getbasetemp().glob("*.built"):
        drop_database(marker.read_text())
