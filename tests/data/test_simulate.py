"""`python -m data.demo simulate`: realistic cases inserted and placed one at a time."""

import os
import subprocess
import sys

import pytest

from data.demo.simulate import parse_rate
from geo.db.connection import connect
from geo.errors import UserError
from geo.settings import PROJECT_ROOT


@pytest.mark.parametrize(("text", "per_second"), [("2/s", 2.0), ("30/min", 0.5), ("7200/h", 2.0), ("3", 3.0)])
def test_rates_are_read_in_their_unit(text, per_second):
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["fast", "2/day", "0/s", "-1/s", "1000/s", ""])
def test_unreadable_rates_are_refused_with_the_way_to_write_them(text):
    with pytest.raises(UserError, match="rate"):
        parse_rate(text)


def simulate(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")}
    env["DATABASE_URL"] = url
    command = [sys.executable, "-m", "data.demo", "simulate", *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_simulated_cases_are_reported_now_accepted_and_placed(city_db):
    with connect(city_db) as conn:
        county = conn.execute("SELECT code FROM admin_area WHERE level = 2 ORDER BY code LIMIT 1").fetchone()[0]
    result = simulate(city_db, "--rate", "20/s", "--count", "6", "--seed", "2", "--scope", county)
    assert result.returncode == 0, result.stderr
    assert "inserted 6 cases" in result.stdout
    with connect(city_db) as conn:
        rows = conn.execute(
            """SELECT c.status, c.reported_at > now() - interval '5 minutes', c.deadline > c.reported_at,
                      a.status, g.code
               FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id LEFT JOIN grid g ON g.id = a.grid_id
               WHERE c.code LIKE 'SIM%'"""
        ).fetchall()
    assert len(rows) == 6
    assert all(status == "accepted" and recent and due for status, recent, due, _, _ in rows)
    # Each case reaches the map at once: placed in a grid of the scope (or held for review).
    assert all(placed in ("assigned", "review") for *_, placed, _ in rows)
    assert all(code.startswith(county) for *_, placed, code in rows if placed == "assigned")


def test_an_unknown_scope_is_one_clear_error(city_db):
    result = simulate(city_db, "--count", "1", "--scope", "999999")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["error: simulate: --scope '999999' is no area or grid code"]
