"""The owner role of the local cluster: it owns the project's objects and runs migrations,
imports and the command line, with no power over the server; row-level security binds it; a
database an earlier version made (everything the superuser's) is converted to it."""

import os
import shutil

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from geo.audit.chain import verify_chain
from geo.audit.log import record
from geo.db.cluster import APP_ROLE, OWNER_ROLE, SERVER_USER
from geo.db.connection import admin_url, app_database_url, connect, create_database, drop_database, with_dbname
from geo.db.migrate import MIGRATIONS_DIR, migrate
from geo.db.ownership import prepare_database
from geo.settings import get_settings
from tests.geo.imports.conftest import import_file
from tests.test_cli import run_geo

pytestmark = pytest.mark.skipif(
    bool(get_settings().database_url), reason="DATABASE_URL is set: its role does everything"
)
# The project's objects a superuser still owns: none, once a database is the owner's.
SUPERUSER_OWNED = """
SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('public', 'basemap', 'sensitive', 'demo_truth', 'geocode', 'auth', 'audit')
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relowner <> %(owner)s::regrole
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('public', 'basemap', 'sensitive', 'demo_truth', 'geocode', 'auth', 'audit')
  AND p.proowner <> %(owner)s::regrole
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT n.nspname FROM pg_namespace n
WHERE n.nspname IN ('basemap', 'sensitive', 'demo_truth', 'geocode', 'auth', 'audit')
  AND n.nspowner <> %(owner)s::regrole
"""


def _denied(url: str, statement: str) -> bool:
    """True when the server refuses `statement` to the role of `url` for want of privilege."""
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege:
            return True
    return False


def test_the_owner_has_no_power_over_the_server(server_url):
    with psycopg.connect(admin_url(server_url)) as admin:
        powers = admin.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolcanlogin"
            " FROM pg_roles WHERE rolname = %s",
            [OWNER_ROLE],
        ).fetchone()
    assert powers == (False, False, False, False, False, True)
    assert conninfo_to_dict(server_url)["user"] == OWNER_ROLE
    for statement in (
        "CREATE ROLE sm_owner_made LOGIN",
        "ALTER SYSTEM SET work_mem = '1GB'",
        "COPY (SELECT 1) TO PROGRAM 'true'",
        "CREATE TEMP TABLE t (line text); COPY t FROM PROGRAM 'id'",
        "SELECT rolpassword FROM pg_authid",
        "SELECT pg_read_file('postgresql.conf')",
        "CREATE DATABASE sm_owner_made",
        f"ALTER ROLE {SERVER_USER} PASSWORD 'x'",
    ):
        assert _denied(server_url, statement), statement


def test_the_project_is_the_owners_and_the_command_line_connects_as_it(demo_db):
    with connect(demo_db) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == OWNER_ROLE
        assert conn.execute(SUPERUSER_OWNED, {"owner": OWNER_ROLE}).fetchall() == []
        definers = conn.execute(
            "SELECT DISTINCT proowner::regrole::text FROM pg_proc p WHERE prosecdef"
            " AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        ).fetchall()
        database = conn.execute(
            "SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert definers == [(OWNER_ROLE,)]  # SECURITY DEFINER functions run as the owner
    assert database == (OWNER_ROLE,)
    result = run_geo("counts", database_url=demo_db, in_process=True)
    assert result.returncode == 0 and OWNER_ROLE in result.stdout, result.stderr


def test_row_security_binds_the_owner_unless_it_acts_for_the_whole_database(demo_db):
    with connect(demo_db) as conn:
        everyone = conn.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0]
    assert everyone > 0
    with psycopg.connect(demo_db) as plain:  # no scope 'all': what connect() sets
        assert plain.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            plain.execute("INSERT INTO sensitive.key_person_category VALUES ('zz', 'care', 'zz', 'zz')")


@pytest.fixture
def old_style_database(server_url):
    """A database as an earlier version left it: created, migrated and written to by the
    superuser, who owns every table and function and set the default privileges."""
    url = with_dbname(server_url, f"safety_map_old_{os.getpid()}")
    old = admin_url(url)
    create_database(old)  # as the superuser: not prepared, the superuser's
    with connect(old) as conn:
        migrate(conn)
        record(conn, "cli", "users.add", "old_user")
    yield url
    drop_database(url)


def test_an_old_style_database_is_converted_to_the_owner(old_style_database, demo_db, tmp_path):
    url, admin = old_style_database, admin_url(old_style_database)
    with connect(admin) as conn:
        assert conn.execute(SUPERUSER_OWNED, {"owner": OWNER_ROLE}).fetchall() != []
    assert not create_database(url)  # what every command does first: converts it
    with connect(admin) as conn:
        assert conn.execute(SUPERUSER_OWNED, {"owner": OWNER_ROLE}).fetchall() == []
        postgis = conn.execute("SELECT relowner::regrole::text FROM pg_class WHERE relname = 'spatial_ref_sys'")
        assert postgis.fetchone() == (SERVER_USER,)  # the extension's own table stays
        with conn.transaction():
            assert prepare_database(conn, OWNER_ROLE) == []  # nothing left to do
    with connect(url) as conn:  # the owner migrates: a new table gets the app's grants
        assert migrate(conn, _with_extra_migration(tmp_path)) == ["9999_owner_test"]
        granted = conn.execute("SELECT has_table_privilege(%s, 'public.owner_test', 'INSERT')", [APP_ROLE])
        assert granted.fetchone() == (True,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():  # forced security binds it
            conn.execute("SET LOCAL safety_map.scope = ''")
            conn.execute("INSERT INTO sensitive.key_person_category VALUES ('zz', 'care', 'zz', 'zz')")
        record(conn, "cli", "users.disable", "old_user")
        assert verify_chain(conn).intact and verify_chain(conn).entries == 2
    areas = run_geo(
        "export", "--layer", "areas", str(tmp_path / "areas.geojson"), database_url=demo_db, in_process=True
    )
    assert areas.returncode == 0, areas.stderr
    code, summary, stderr = import_file(url, tmp_path / "areas.geojson", "areas")  # the owner imports
    assert code == 0 and summary["inserted"] > 0, stderr
    with psycopg.connect(app_database_url(url)) as app:  # the dashboard's role still reads
        assert app.execute("SELECT count(*) FROM admin_area").fetchone()[0] == summary["inserted"]


def _with_extra_migration(tmp_path):
    """The project's migrations plus one more, as a later version would add."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    (folder / "9999_owner_test.sql").write_text(
        "CREATE TABLE owner_test (id integer PRIMARY KEY);\n"
        "CREATE FUNCTION owner_test_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER"
        " SET safety_map.scope = 'all' AS 'SELECT count(*) FROM owner_test';\n"
    )
    return folder
