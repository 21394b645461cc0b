"""The audit log: written by the dashboard's role only through audit.record, with the actor
taken from the session it presents; append-only for its owner too, hash-chained, and
`python -m geo audit verify` names the first broken link of a tampered log."""

import datetime as dt
import os
import subprocess
import sys

import psycopg
import pytest

from geo.audit.chain import GENESIS, entry_hash, verify_chain
from geo.audit.log import record
from geo.auth.sessions import use_session
from geo.db.connection import app_database_url, connect
from geo.settings import PROJECT_ROOT
from tests.geo.auth.conftest import open_test_session


@pytest.fixture
def logged(city_db) -> str:
    """city_db with entries written by the dashboard's role: five views of a signed-in officer
    and a failed sign-in."""
    token = open_test_session(city_db, "officer1", "key_person_officer", None)
    with psycopg.connect(app_database_url(city_db), autocommit=True) as app:
        with app.transaction():
            use_session(app, token)
            for n in range(5):
                record(app, "officer1", "key_person.view", f"41180200100{n}", {"persons": [f"KP-{n}"], "n": n})
        record(app, "anonymous", "login.failed", "张三|登录", {"reason": "wrong", "address": "127.0.0.1"})
    return city_db


def test_entries_are_chained_in_order(logged):
    with connect(logged) as conn:
        rows = conn.execute("SELECT id, prev_hash, hash FROM audit.log ORDER BY id").fetchall()
        report = verify_chain(conn)
    assert report.intact and report.entries == len(rows) >= 5
    assert rows[0][1] == "0" * 64
    assert all(later[1] == earlier[2] for earlier, later in zip(rows, rows[1:], strict=False))


def test_the_inserter_cannot_choose_the_hashes_or_the_time(logged):
    with connect(logged) as conn:
        conn.execute(
            "INSERT INTO audit.log (id, at, actor, action, prev_hash, hash) VALUES (1, '2000-01-01', 'x', 'login', 'a', 'b')"
        )
        at, prev_hash = conn.execute("SELECT at, prev_hash FROM audit.log WHERE actor = 'x'").fetchone()
        assert at.year > 2000 and prev_hash != "a"
        assert verify_chain(conn).intact


def test_the_actor_is_the_presented_sessions_user_not_the_callers(logged):
    """The dashboard's role can neither insert nor name another actor: its entries are the
    session's user's; with no session it may only record a sign-in event, as 'anonymous'."""
    token = open_test_session(logged, "narrow1", "grid_worker", _first_grid(logged))
    with psycopg.connect(app_database_url(logged), autocommit=True) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("INSERT INTO audit.log (actor, action) VALUES ('admin', 'boundary.commit')")
        with app.transaction():
            use_session(app, token)
            record(app, "admin", "boundary.commit", "forged", {"reason": "not me"})
        with pytest.raises(psycopg.errors.InsufficientPrivilege), app.transaction():
            record(app, "admin", "boundary.commit", "forged-anonymously")
        record(app, "admin", "login.failed", "someone", {"reason": "wrong"})
    with connect(logged) as conn:
        actors = conn.execute("SELECT target, actor FROM audit.log WHERE target LIKE 'forged%' OR target = 'someone'")
        assert dict(actors.fetchall()) == {"forged": "narrow1", "someone": "anonymous"}
        assert verify_chain(conn).intact


def _first_grid(url: str) -> str:
    with connect(url) as conn:
        return conn.execute("SELECT code FROM grid_current WHERE is_basic ORDER BY code LIMIT 1").fetchone()[0]


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO audit.log (actor, action) VALUES ('x', 'login')",
        "UPDATE audit.log SET actor = 'someone else'",
        "DELETE FROM audit.log",
        "TRUNCATE audit.log",
    ],
)
def test_the_dashboard_role_cannot_change_or_remove_entries(logged, statement):
    with psycopg.connect(app_database_url(logged), autocommit=True) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("SELECT count(*) FROM audit.log")  # the log is not the dashboard's to read


@pytest.mark.parametrize(
    "statement", ["UPDATE audit.log SET actor = 'x'", "DELETE FROM audit.log", "TRUNCATE audit.log"]
)
def test_even_the_owner_is_refused_by_the_triggers(logged, statement):
    with connect(logged) as conn, pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        conn.execute(statement)


def test_verify_reports_the_first_edited_entry(logged):
    third = _tamper(
        logged,
        "UPDATE audit.log SET detail = '{\"persons\": []}' WHERE id = (SELECT id FROM audit.log ORDER BY id OFFSET 2 LIMIT 1) RETURNING id",
    )
    result = _verify(logged)
    assert result.returncode == 1
    assert f"broken at entry {third}" in result.stdout and "content does not match" in result.stdout


def test_verify_reports_a_removed_entry_at_the_one_after_it(logged):
    with connect(logged) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM audit.log ORDER BY id")]
    _tamper(logged, f"DELETE FROM audit.log WHERE id = {ids[1]} RETURNING id")
    with connect(logged) as conn:
        report = verify_chain(conn)
    assert report.broken_id == ids[2] and "prev_hash" in report.reason


def test_verify_reports_an_intact_log(logged):
    result = _verify(logged)
    assert result.returncode == 0 and "intact" in result.stdout


def _verify(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "geo", "audit", "verify"]
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, check=False)


def _tamper(url: str, statement: str) -> int:
    """What an attacker with the owner's rights does: switch the guard off, change, switch on."""
    with connect(url) as conn:
        conn.execute("ALTER TABLE audit.log DISABLE TRIGGER audit_log_append_only")
        changed = conn.execute(statement).fetchone()[0]
        conn.execute("ALTER TABLE audit.log ENABLE TRIGGER audit_log_append_only")
        conn.commit()
    return changed


def test_no_field_boundary_can_move_without_changing_the_hash():
    at = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    one = entry_hash(GENESIS, 1, at, "anonymous", "login.failed", "a|b", "{}")
    other = entry_hash(GENESIS, 1, at, "anonymous|login.failed", "a", "b", "{}")
    assert one != other
