"""Row-level security on the sensitive schema, as the dashboard's role sees it: enabled and
forced on every table, the role owns nothing, the scope lives for one transaction only."""

import secrets

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.auth.jurisdiction import apply_scope, find_jurisdiction
from geo.db.connection import app_database_url, connect

PERSONS_IN = """SELECT count(*) FROM sensitive.key_person k JOIN building_assignment a USING (building_id)
WHERE a.grid_id = ANY(%s)"""


@pytest.fixture
def township(city_db) -> str:
    with connect(city_db) as conn:
        return conn.execute("SELECT code FROM admin_area WHERE level = 3 ORDER BY code LIMIT 1").fetchone()[0]


def test_every_sensitive_table_has_row_security_enabled_and_forced(city_db):
    with connect(city_db) as conn:
        rows = conn.execute(
            """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sensitive' AND c.relkind = 'r'"""
        ).fetchall()
    assert {name for name, *_ in rows} >= {"key_person", "key_person_category", "risk_key_population"}
    assert all(enabled and forced for _name, enabled, forced in rows), rows


def test_the_dashboard_role_owns_nothing_and_cannot_bypass(city_db):
    with connect(city_db) as conn:
        owned = conn.execute("SELECT count(*) FROM pg_class WHERE relowner = 'safety_map_app'::regrole").fetchone()[0]
        role = conn.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = 'safety_map_app'"
        ).fetchone()
    assert owned == 0 and role == (False, False, False)


def test_the_scope_decides_which_key_persons_are_visible(city_db, township):
    with connect(city_db) as owner:
        jurisdiction = find_jurisdiction(owner, township)
        expected = owner.execute(PERSONS_IN, [list(jurisdiction.grid_ids)]).fetchone()[0]
        total = owner.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0]
    assert 0 < expected < total
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        assert _visible(app, None) == 0  # nobody signed in: nothing
        assert _visible(app, jurisdiction) == expected
        assert _visible(app, find_jurisdiction(app, None)) == total
        # The township's persons are all inside it: none of another township's grids.
        with app.transaction():
            apply_scope(app, jurisdiction)
            outside = app.execute(
                """SELECT count(*) FROM sensitive.key_person k JOIN building_assignment a USING (building_id)
                   WHERE NOT (a.grid_id = ANY(%s))""",
                [list(jurisdiction.grid_ids)],
            ).fetchone()[0]
        assert outside == 0


def test_a_scope_ends_with_its_transaction(city_db, township):
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        jurisdiction = find_jurisdiction(app, None)
        assert _visible(app, jurisdiction) > 0
        # The same connection, next request: the scope is gone.
        assert app.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == 0
        assert app.execute("SELECT current_setting('safety_map.scope', true)").fetchone()[0] in ("", None)


def test_the_dashboard_role_cannot_write_key_persons_or_read_around_the_view(city_db):
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DELETE FROM sensitive.key_person")
        # The view checks the reader's rights, not its (superuser) owner's.
        assert app.execute("SELECT count(*) FROM sensitive.key_person_located").fetchone()[0] == 0


def test_forced_security_holds_for_an_owner_that_is_no_superuser(city_db):
    """FORCE makes the policies bind the table's owner too (a superuser always bypasses)."""
    secret = secrets.token_hex(16)
    with connect(city_db, autocommit=True) as admin:
        admin.execute("DO $$ BEGIN CREATE ROLE sm_test_owner LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        admin.execute(sql.SQL("ALTER ROLE sm_test_owner PASSWORD {}").format(sql.Literal(secret)))
        admin.execute("GRANT USAGE ON SCHEMA sensitive TO sm_test_owner")
        admin.execute("GRANT SELECT ON building_assignment TO sm_test_owner")
        admin.execute("ALTER TABLE sensitive.key_person OWNER TO sm_test_owner")
    params = {**conninfo_to_dict(app_database_url(city_db)), "user": "sm_test_owner", "password": secret}
    params.pop("passfile", None)
    owner_url = make_conninfo(**params)
    with psycopg.connect(owner_url, autocommit=True) as owner:
        assert owner.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == 0
        with owner.transaction():
            apply_scope(owner, find_jurisdiction(owner, None))
            assert owner.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] > 0


def _visible(conn, jurisdiction) -> int:
    with conn.transaction():
        apply_scope(conn, jurisdiction)
        return conn.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0]


def test_the_map_counts_are_the_whole_hierarchys_and_the_scope_survives_them(city_db, township):
    """Suppression needs every count, whoever looks: the counting function sees the whole
    database, returns counts only, and leaves the caller's scope as it was."""
    with connect(city_db) as owner:
        total = owner.execute("SELECT count(*) FROM sensitive.key_person WHERE active").fetchone()[0]
        jurisdiction = find_jurisdiction(owner, township)
        inside = owner.execute(PERSONS_IN, [list(jurisdiction.grid_ids)]).fetchone()[0]
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app, app.transaction():
        apply_scope(app, jurisdiction)
        counted = app.execute("SELECT sum(persons), count(*) FROM sensitive.key_person_counts()").fetchone()
        columns = [column.name for column in app.execute("SELECT * FROM sensitive.key_person_counts()").description]
        still = app.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0]
    assert counted[0] == total and counted[1] > 0
    assert columns == ["grid", "category", "persons"]
    assert still == inside < total
