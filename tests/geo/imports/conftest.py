"""A small demo city to import into: loaded once, copied (CREATE DATABASE … TEMPLATE) per test,
so that every test starts from the same city and can check that nothing else changed."""

import datetime as dt
import json
import secrets

import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from geo.db.connection import connect, drop_database, with_dbname
from tests.test_cli import run_geo

# Every table an import may touch; a test checks that the others stay as they were.
TABLES = ("admin_area", "grid", "micro_grid", "building", "building_unit", "cases", "case_assignment",
          "sensitive.key_person", "key_place", "camera", "boundary_version", "building_assignment")  # fmt: skip


@pytest.fixture(scope="session")
def city_template(fresh_database) -> str:
    from data.demo import load_demo

    url = fresh_database()
    load_demo(url, scale="small", seed=11, as_of=dt.date(2026, 11, 24))
    return url


@pytest.fixture
def city_db(city_template, server_url):
    """A private copy of the small demo city."""
    name = f"safety_map_copy_{secrets.token_hex(4)}"
    template = conninfo_to_dict(city_template)["dbname"]
    with connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    url = with_dbname(server_url, name)
    yield url
    drop_database(url)


def scalar(url: str, query: str, params=None):
    with connect(url) as conn:
        return conn.execute(query, params).fetchone()[0]


def fingerprints(url: str) -> dict:
    """Per table: a digest of all its rows."""
    with connect(url) as conn:
        return {
            table: conn.execute(
                sql.SQL("SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t").format(
                    sql.Identifier(*table.split("."))
                )
            ).fetchone()[0]
            for table in TABLES
        }


def import_file(url: str, path, layer: str, *extra):
    """Run `geo import --json`; (exit code, summary or None, stderr)."""
    result = run_geo("import", str(path), "--layer", layer, "--json", *extra, database_url=url)
    summary = json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None
    return result.returncode, summary, result.stderr
