"""Indexes and checks built once after a bulk load (geo.db.bulk_load): the same indexes and
constraints come back, the rows written meanwhile are still checked, and a role that does not
own the tables loads with everything in place."""

import psycopg
import pytest

from data.demo import BULK_TABLES
from geo.db.bulk_load import indexes_after
from geo.db.connection import app_database_url, connect

# Everything indexes_after drops and builds again, as the catalogue states it.
CATALOGUE = """
SELECT 'index ' || indexdef FROM pg_indexes
WHERE format('%%I.%%I', schemaname, tablename)::regclass = ANY(%(tables)s::regclass[])
UNION ALL
SELECT format('constraint %%s %%s %%s', conrelid::regclass, conname, pg_get_constraintdef(oid))
FROM pg_constraint WHERE conrelid = ANY(%(tables)s::regclass[])
ORDER BY 1
"""
SECONDARY = "SELECT count(*) FROM pg_indexes WHERE indexname IN ('cases_geom_idx', 'building_address_trgm_idx')"
CASE_OF_NO_CATEGORY = """
INSERT INTO cases (code, source, category_code, summary, reported_at, address_text, status, deadline, closed_at)
VALUES ('T1', 'walk_in', 'no_such_category', '-', now(), '人民路1号', 'closed', now() + interval '1 day', now())
"""


def catalogue(conn) -> list[str]:
    return [row[0] for row in conn.execute(CATALOGUE, {"tables": BULK_TABLES})]


def test_the_same_indexes_and_constraints_come_back(fresh_database):
    with connect(fresh_database()) as conn, conn.transaction():
        before = catalogue(conn)
        with indexes_after(conn, BULK_TABLES):
            during = conn.execute(SECONDARY).fetchone()[0]
        assert (during, catalogue(conn)) == (0, before)


def test_rows_written_meanwhile_are_checked_when_the_checks_come_back(fresh_database):
    with connect(fresh_database()) as conn:
        refused = pytest.raises(psycopg.errors.ForeignKeyViolation)
        with refused, conn.transaction(), indexes_after(conn, BULK_TABLES):
            conn.execute(CASE_OF_NO_CATEGORY)  # no foreign key to refuse it yet
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
        assert conn.execute(SECONDARY).fetchone()[0] == 2


def test_a_role_that_does_not_own_the_tables_loads_with_them_in_place(fresh_database):
    app = app_database_url(fresh_database())
    with connect(app) as conn, conn.transaction(), indexes_after(conn, BULK_TABLES):
        assert conn.execute(SECONDARY).fetchone()[0] == 2
