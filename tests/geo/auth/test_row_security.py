"""Row-level security on the sensitive schema, as the dashboard's role sees it: enabled and
forced on every table, the role owns nothing, and what it sees is the jurisdiction of the live
session the transaction presents, which no setting of its own can widen."""

import psycopg
import pytest

from geo.auth.jurisdiction import find_jurisdiction
from geo.auth.sessions import use_session
from geo.db.connection import app_database_url, connect
from tests.geo.auth.conftest import open_test_session

PERSONS_IN = """SELECT count(*) FROM sensitive.key_person k JOIN building_assignment a USING (building_id)
WHERE a.grid_id = ANY(%s)"""
# What the dashboard's role could set before migration 0017 to see everything.
WIDEN = """SELECT set_config('safety_map.scope', 'all', true),
       set_config('safety_map.grid_ids', (SELECT array_agg(id)::text FROM grid), true),
       set_config('safety_map.codes', (SELECT array_agg(code)::text FROM grid), true)"""


@pytest.fixture
def township(city_db) -> str:
    with connect(city_db) as conn:
        return conn.execute("SELECT code FROM admin_area WHERE level = 3 ORDER BY code LIMIT 1").fetchone()[0]


@pytest.fixture
def counts(city_db, township) -> tuple[int, int]:
    """(key persons inside the township, key persons in all), as the owner counts them."""
    with connect(city_db) as owner:
        jurisdiction = find_jurisdiction(owner, township)
        inside = owner.execute(PERSONS_IN, [list(jurisdiction.grid_ids)]).fetchone()[0]
        total = owner.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0]
    assert 0 < inside < total
    return inside, total


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


def test_the_session_decides_which_key_persons_are_visible(city_db, township, counts):
    inside, total = counts
    officer = open_test_session(city_db, "rls_officer", "key_person_officer", township)
    admin = open_test_session(city_db, "rls_admin", "admin", None)
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        assert _visible(app, None) == 0  # nobody signed in: nothing
        assert _visible(app, officer) == inside
        assert _visible(app, admin) == total
        # The township's persons are all inside it: none of another township's grids.
        with app.transaction():
            use_session(app, officer)
            grids = list(find_jurisdiction(app, township).grid_ids)
            outside = app.execute(
                """SELECT count(*) FROM sensitive.key_person k JOIN building_assignment a USING (building_id)
                   WHERE NOT (a.grid_id = ANY(%s))""",
                [grids],
            ).fetchone()[0]
        assert outside == 0


def test_the_dashboard_role_cannot_widen_its_scope_by_setting_it(city_db, township, counts):
    """An SQL injection or a stolen connection sets 'all' by hand: it gets its session's
    jurisdiction and no more; with no session, nothing."""
    inside, _total = counts
    officer = open_test_session(city_db, "rls_narrow", "key_person_officer", township)
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        for token, expected in ((None, 0), (officer, inside)):
            with app.transaction():
                use_session(app, token)
                app.execute(WIDEN)
                app.execute("SELECT set_config('safety_map.token', %s, true)", [token or "made-up"])
                assert app.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == expected
        with app.transaction():
            app.execute("SET LOCAL safety_map.scope = 'all'")
            assert app.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == 0


OF_USER = "user_id = (SELECT id FROM auth.app_user WHERE username = %s)"


@pytest.mark.parametrize(
    "end",
    [
        f"UPDATE auth.app_session SET revoked_at = now() WHERE {OF_USER}",
        f"UPDATE auth.app_session SET expires_at = now() - interval '1 second' WHERE {OF_USER}",
        f"UPDATE auth.app_session SET last_seen = now() - interval '3 hours' WHERE {OF_USER}",
        "UPDATE auth.app_user SET active = false WHERE username = %s",
    ],
)
def test_a_revoked_expired_idle_or_disabled_session_sees_nothing(city_db, township, counts, end):
    officer = open_test_session(city_db, "rls_dead", "key_person_officer", township)
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        assert _visible(app, officer) == counts[0]
    with connect(city_db, autocommit=True) as owner:
        owner.execute(end, ["rls_dead"])
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app, app.transaction():
        assert use_session(app, officer) is False
        app.execute(WIDEN)
        assert app.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == 0


def test_the_dashboard_role_reads_no_password_and_edits_no_session(city_db, township):
    open_test_session(city_db, "rls_victim", "key_person_officer", township)
    statements = [
        "SELECT password_hash FROM auth.app_user",
        "SELECT username FROM auth.app_user",
        "SELECT token_hash FROM auth.app_session",
        "UPDATE auth.app_session SET revoked_at = NULL, expires_at = now() + interval '1 year'",
        "INSERT INTO auth.app_session (token_hash, user_id, expires_at) VALUES ('x', 1, now() + interval '1 day')",
        "SELECT audit.add('admin', 'login', '', '{}')",
        "SELECT auth.live_user('x')",
    ]
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        for statement in statements:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        # What sign-in gets is the salt and parameters, never the hash.
        blanked = app.execute("SELECT auth.password_salt('rls_victim')").fetchone()[0]
    with connect(city_db) as owner:
        stored = owner.execute("SELECT password_hash FROM auth.app_user WHERE username = 'rls_victim'").fetchone()[0]
    assert blanked.rsplit("$", 1)[0] == stored.rsplit("$", 1)[0]
    assert stored.rsplit("$", 1)[1] not in blanked


def test_no_session_opens_without_the_password(city_db, township):
    open_test_session(city_db, "rls_target", "admin", None)
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        blanked = app.execute("SELECT auth.password_salt('rls_target')").fetchone()[0]
        for proof in (blanked, "", "wrong"):
            opened = app.execute(
                "SELECT * FROM auth.sign_in('rls_target', %s, 'my-token', 1, 1, 60, '', '')", [proof]
            ).fetchall()
            assert opened == []
        with app.transaction():
            assert use_session(app, "my-token") is False


def test_a_session_ends_with_its_transaction(city_db):
    admin = open_test_session(city_db, "rls_admin2", "admin", None)
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        assert _visible(app, admin) > 0
        # The same connection, next request: the session is not presented any more.
        assert app.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == 0
        assert app.execute("SELECT current_setting('safety_map.token', true)").fetchone()[0] in ("", None)


def test_the_dashboard_role_cannot_write_key_persons_or_read_around_the_view(city_db):
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DELETE FROM sensitive.key_person")
        # The view checks the reader's rights, not its owner's.
        assert app.execute("SELECT count(*) FROM sensitive.key_person_located").fetchone()[0] == 0


def test_forced_security_holds_for_the_owner_that_is_no_superuser(city_db):
    """FORCE makes the policies bind the table's owner too, the role the command line connects
    as (a superuser always bypasses); it opens the whole table with the scope 'all' only."""
    with psycopg.connect(city_db, autocommit=True) as owner:
        role = owner.execute(
            "SELECT r.rolsuper, r.rolname = c.relowner::regrole::name FROM pg_roles r, pg_class c"
            " WHERE r.rolname = current_user AND c.oid = 'sensitive.key_person'::regclass"
        ).fetchone()
        if role[0]:
            pytest.skip("DATABASE_URL names a superuser, which row-level security never binds")
        assert role[1]
        assert owner.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] == 0
        with owner.transaction():
            owner.execute("SELECT set_config('safety_map.scope', 'all', true)")
            assert owner.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0] > 0


def test_the_map_counts_are_the_whole_hierarchys_and_the_scope_survives_them(city_db, township, counts):
    """Suppression needs every count, whoever looks: the counting function sees the whole
    database, returns counts only, and leaves the caller's scope as it was."""
    inside, _total = counts
    with connect(city_db) as owner:
        active = owner.execute("SELECT count(*) FROM sensitive.key_person WHERE active").fetchone()[0]
    officer = open_test_session(city_db, "rls_counts", "key_person_officer", township)
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app, app.transaction():
        use_session(app, officer)
        counted = app.execute("SELECT sum(persons), count(*) FROM sensitive.key_person_counts()").fetchone()
        columns = [column.name for column in app.execute("SELECT * FROM sensitive.key_person_counts()").description]
        still = app.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0]
    assert counted[0] == active and counted[1] > 0
    assert columns == ["grid", "category", "persons"]
    assert still == inside


def _visible(conn, token: str | None) -> int:
    with conn.transaction():
        use_session(conn, token)
        return conn.execute("SELECT count(*) FROM sensitive.key_person").fetchone()[0]
