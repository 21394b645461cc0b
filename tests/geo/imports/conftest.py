"""Helpers for import tests; each imports into its own copy of the small demo city (city_db in
tests/conftest.py), so that it can check that nothing else changed."""

import json

from psycopg import sql

from geo.db.connection import connect
from tests.test_cli import run_geo

# Every table an import may touch; a test checks that the others stay as they were.
TABLES = ("admin_area", "grid", "micro_grid", "building", "building_unit", "cases", "case_assignment",
          "sensitive.key_person", "key_place", "camera", "boundary_version", "building_assignment")  # fmt: skip


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
    result = run_geo("import", str(path), "--layer", layer, "--json", *extra, database_url=url, in_process=True)
    summary = json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None
    return result.returncode, summary, result.stderr
