"""The listener that nudges the walls (geo/live/changes.py, migration 0036), on a copy of the
small demo city: a committed placement (or placement again) of a case moves the stamp, an uncommitted
one does not, and the listener lets its connection go when nobody asks."""

import time

import numpy as np
import pytest

from data.demo.simulate import draw_case, hot_buildings, insert_and_place
from geo.db.connection import app_database_url, connect
from geo.live import changes

LISTENERS = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()"


PLACED_AGAIN = (
    "UPDATE case_assignment SET confidence = confidence WHERE case_id = (SELECT min(case_id) FROM case_assignment)"
)


def wait_until(condition, timeout_s: float = 15) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def listener(city_db):
    """A listener of the web role (as the dashboard's), listening."""
    found = changes.ChangeListener(app_database_url(city_db))
    assert wait_until(lambda: found.state()["live"])
    return found


def test_a_placed_case_moves_the_stamp_once_committed(city_db, listener):
    before = int(listener.state()["stamp"])
    with connect(city_db) as conn:
        case = draw_case(np.random.default_rng(5), hot_buildings(conn, None), "NOTIFYTEST1")
        insert_and_place(conn, case)
        time.sleep(1)
        assert int(listener.state()["stamp"]) == before  # nothing is said before the commit
        conn.commit()
    assert wait_until(lambda: int(listener.state()["stamp"]) > before)


def test_a_case_placed_again_moves_the_stamp_and_a_rolled_back_one_does_not(city_db, listener):
    before = int(listener.state()["stamp"])
    with connect(city_db) as conn:
        conn.execute(PLACED_AGAIN)
        conn.rollback()
        time.sleep(1)
        assert int(listener.state()["stamp"]) == before
        conn.execute(PLACED_AGAIN)
        conn.commit()
    assert wait_until(lambda: int(listener.state()["stamp"]) > before)


def test_the_listener_lets_go_when_nobody_asks_and_listens_again_when_asked(city_db, monkeypatch):
    monkeypatch.setattr(changes, "IDLE_S", 1.0)
    monkeypatch.setattr(changes, "WAKE_S", 0.2)
    found = changes.ChangeListener(app_database_url(city_db))
    assert wait_until(lambda: found.state()["live"])
    listening = [changes.APPLICATION_NAME]
    with connect(city_db, autocommit=True) as conn:
        assert conn.execute(LISTENERS, listening).fetchone()[0] == 1
        assert wait_until(lambda: not found._running)  # not asked for a second: stopped
        assert wait_until(lambda: conn.execute(LISTENERS, listening).fetchone()[0] == 0)
    assert wait_until(lambda: found.state()["live"])  # asked again: listening again


def test_a_notice_that_is_no_number_still_moves_the_stamp(city_db, listener):
    before = int(listener.state()["stamp"])
    with connect(city_db, autocommit=True) as conn:
        conn.execute("NOTIFY safety_map_cases, 'not a number'")
    assert wait_until(lambda: int(listener.state()["stamp"]) > before)
    assert listener.state()["live"]
