"""Repeated audit entries are counted, not repeated: one run per actor, action and key a
minute, written to the chain as the first entry and one summary; names a caller can make up
(a refused callback's output, a typed username that names nobody) cannot multiply entries,
and the chain still verifies."""

import secrets

import psycopg
import pytest

from geo.audit.chain import verify_chain
from geo.audit.log import flush, record
from geo.auth.sessions import use_session
from geo.db.connection import app_database_url, connect
from tests.geo.auth.conftest import open_test_session

TIMES = "SELECT coalesce(sum(times), 0), count(*) FROM audit.occurrences WHERE action = %s"
ENTRIES = "SELECT count(*) FROM audit.log WHERE action = %s"


@pytest.fixture
def app_url(city_db) -> str:
    return app_database_url(city_db)


def test_made_up_callback_outputs_are_one_run(city_db, app_url):
    token = open_test_session(city_db, "prober", "leader", _county(city_db))
    with psycopg.connect(app_url, autocommit=True) as app:
        for _ in range(200):
            with app.transaction():
                use_session(app, token)
                record(app, "prober", "access.denied", "/_dash-update-component", {"output": secrets.token_hex(8)})
    with connect(city_db) as conn:
        assert conn.execute(ENTRIES, ["access.denied"]).fetchone()[0] == 1  # the first, at once
        assert conn.execute(TIMES, ["access.denied"]).fetchone()[0] == 200
        flush(conn, everything=True)
        rows = conn.execute("SELECT actor, detail FROM audit.log WHERE action = 'access.denied' ORDER BY id").fetchall()
        assert len(rows) == 2 and {actor for actor, _detail in rows} == {"prober"}
        assert rows[1][1]["times"] == 200 and rows[1][1]["repeats_of"] > 0
        assert len(rows[1][1]["variants"]) == 10  # a sample of the names, not all of them
        assert verify_chain(conn).intact


def test_failed_sign_ins_with_random_usernames_are_bounded(city_db, app_url):
    with psycopg.connect(app_url, autocommit=True) as app:
        for n in range(1000):
            name = f"nobody-{secrets.token_hex(6)}"
            address = "10.0.0.1" if n % 2 else "10.0.0.2"
            app.execute("SELECT * FROM auth.sign_in(%s, 'no proof', %s, 1, 1, 60, 'bot', %s)", [name, name, address])
    with connect(city_db) as conn:
        flush(conn, everything=True)
        entries = conn.execute(ENTRIES, ["login.failed"]).fetchone()[0]
        assert entries <= 4  # the first and a summary per client address
        assert conn.execute(TIMES, ["login.failed"]).fetchone()[0] == 1000
        assert verify_chain(conn).intact


def test_every_failure_of_a_run_is_counted(city_db, app_url):
    open_test_session(city_db, "guessed", "leader", _county(city_db))
    with psycopg.connect(app_url, autocommit=True) as app:
        for _ in range(7):
            app.execute("SELECT * FROM auth.sign_in('guessed', 'wrong', 't', 1, 1, 60, '', '10.0.0.3')")
    failures = "SELECT sum(times) FROM audit.occurrences WHERE action = 'login.failed' AND target = 'guessed'"
    with connect(city_db) as conn:
        assert conn.execute(failures).fetchone()[0] == 7
        flush(conn, everything=True)
        assert conn.execute(failures).fetchone()[0] == 7


def test_a_run_ends_after_a_minute_and_its_summary_follows(city_db):
    with connect(city_db, autocommit=True) as conn:
        for _ in range(3):
            record(conn, "cli:tests", "user.changed", "someone", {"active": False})
        conn.execute("UPDATE audit.repeat SET first_at = first_at - interval '2 minutes'")
        record(conn, "cli:tests", "user.changed", "someone", {"active": False})  # a new run; the old one closes
        rows = conn.execute("SELECT detail FROM audit.log WHERE action = 'user.changed' ORDER BY id").fetchall()
        assert [detail.get("times") for (detail,) in rows] == [None, 3, None]
    with connect(city_db) as conn:
        assert verify_chain(conn).intact


def _county(url: str) -> str:
    with connect(url) as conn:
        return conn.execute("SELECT code FROM admin_area WHERE level = 2 ORDER BY code LIMIT 1").fetchone()[0]
