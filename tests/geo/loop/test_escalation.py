"""Escalation on its own and the scheduler that runs it: one level per overdue period, urgent
categories at once, a notice to the next level's centre, never twice; the scheduler's jobs run
once per period however many schedulers run; deadlines on working time."""

import datetime as dt
import threading

import pytest

from geo.db.connection import connect
from geo.loop import scheduler
from geo.loop.escalation import escalate_due
from tests.geo.loop.conftest import make_case

LEVEL = "SELECT escalation_level FROM cases WHERE id = %s"
NOTICES = "SELECT level, area_code, reason FROM case_notice WHERE case_id = %s ORDER BY id"


def escalate(url, at):
    with connect(url) as conn, conn.transaction():
        return escalate_due(conn, at)


def level_and_notices(url, case_id):
    with connect(url) as conn:
        return conn.execute(LEVEL, [case_id]).fetchone()[0], conn.execute(NOTICES, [case_id]).fetchall()


def test_an_overdue_case_climbs_one_level_per_overdue_period_and_never_twice(loop_db, places):
    case_id = make_case(loop_db, places["grid"], reported="2026-11-20 10:00+08")  # due 7 days later, long past
    with connect(loop_db) as conn:
        (now,) = conn.execute("SELECT now()").fetchone()
    escalate(loop_db, now + dt.timedelta(hours=23))  # the grid's 24 h since it arrived have not passed
    assert level_and_notices(loop_db, case_id) == ("grid", [])
    assert escalate(loop_db, now + dt.timedelta(hours=25)) >= 1
    assert escalate(loop_db, now + dt.timedelta(hours=25)) == 0  # the same moment again: nothing
    assert level_and_notices(loop_db, case_id) == ("community", [("community", places["community"], "overdue")])
    escalate(loop_db, now + dt.timedelta(hours=25 + 47))  # the community's 48 h not yet over
    assert level_and_notices(loop_db, case_id)[0] == "community"
    escalate(loop_db, now + dt.timedelta(hours=25 + 49))
    level, notices = level_and_notices(loop_db, case_id)
    assert level == "township" and notices[-1] == ("township", places["township"], "overdue")
    with connect(loop_db) as conn:
        events = conn.execute(
            "SELECT actor, action, detail ->> 'to_level' FROM case_event WHERE case_id = %s ORDER BY id", [case_id]
        ).fetchall()
    assert events == [("scheduler", "escalate", "community"), ("scheduler", "escalate", "township")]


def test_an_urgent_category_goes_to_its_level_at_once_and_a_closed_case_stays(loop_db, places):
    fire = make_case(loop_db, places["grid"], category="hazard_fire", reported="2026-12-01 10:00+08")
    closed = make_case(loop_db, places["grid"], category="hazard_fire", reported="2026-12-01 10:00+08")
    with connect(loop_db) as conn, conn.transaction():
        conn.execute(
            "UPDATE cases SET status = 'closed', closed_at = reported_at + interval '1 hour' WHERE id = %s", [closed]
        )
        (now,) = conn.execute("SELECT now()").fetchone()
    escalate(loop_db, now)
    assert level_and_notices(loop_db, fire) == ("township", [("township", places["township"], "urgent")])
    assert level_and_notices(loop_db, closed) == ("grid", [])


def test_two_escalation_runs_at_once_escalate_each_case_once(loop_db, places):
    case_ids = [make_case(loop_db, places["grid"], category="hazard_building") for _ in range(5)]
    counts, start = [], threading.Barrier(2)

    def run():
        with connect(loop_db) as conn, conn.transaction():
            start.wait()
            counts.append(escalate_due(conn))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connect(loop_db) as conn:
        notices = conn.execute("SELECT count(*) FROM case_notice WHERE case_id = ANY(%s)", [case_ids]).fetchone()[0]
    assert notices == 5 and sum(counts) >= 5


def test_the_scheduler_runs_a_due_job_once_across_schedulers_and_restarts(loop_db):
    calls = []

    def job(conn):
        calls.append(conn.execute("SELECT txid_current()").fetchone()[0])
        return {"ran": len(calls)}

    with connect(loop_db, autocommit=True) as conn:
        conn.execute("UPDATE scheduler_job SET last_started_at = NULL WHERE name = 'escalate'")
    start, results = threading.Barrier(3), []

    def one_scheduler():
        start.wait()
        results.append(scheduler.run_due(loop_db, {"escalate": job}))

    threads = [threading.Thread(target=one_scheduler) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and sum(len(r) for r in results) == 1
    assert scheduler.run_due(loop_db, {"escalate": job}) == {}  # a "restart": not due for a minute
    with connect(loop_db) as conn:
        result, error = conn.execute(
            "SELECT last_result, last_error FROM scheduler_job WHERE name = 'escalate'"
        ).fetchone()
    assert result["result"] == {"ran": 1} and error is None


def test_a_failing_job_is_noted_and_waits_its_period(loop_db):
    def broken(conn):
        conn.execute("SELECT 1 / 0")

    with connect(loop_db, autocommit=True) as conn:
        conn.execute("UPDATE scheduler_job SET last_started_at = NULL WHERE name = 'escalate'")
    assert "division by zero" in scheduler.run_due(loop_db, {"escalate": broken})["escalate"]
    assert scheduler.run_due(loop_db, {"escalate": broken}) == {}
    with connect(loop_db) as conn:
        error = conn.execute("SELECT last_error FROM scheduler_job WHERE name = 'escalate'").fetchone()[0]
    assert "division by zero" in error


@pytest.mark.parametrize(
    "holiday, expected",
    [(None, "2026-12-15 16:00+08"), ("2026-12-14", "2026-12-16 16:00+08")],
)
def test_a_deadline_on_working_time_skips_evenings_weekends_and_holidays(loop_db, holiday, expected):
    # Friday 16:00 plus 7 working days of 9 h (08:30-17:30): 1.5 h on Friday, 45 h the next
    # week, 9 h on Monday the 14th, 7.5 h on Tuesday: Tuesday 16:00 (a day later without the 14th).
    with connect(loop_db) as conn:  # rolled back at the end
        conn.execute("UPDATE case_category SET clock = 'working' WHERE code = 'dispute_neighbour'")
        if holiday:
            conn.execute("INSERT INTO working_day_override VALUES (%s, false, '测试假日')", [holiday])
        got, want = conn.execute(
            "SELECT case_deadline('dispute_neighbour', '2026-12-04 16:00+08'), %s::timestamptz", [expected]
        ).fetchone()
        conn.rollback()
    assert got == want


def test_the_scheduler_outlives_a_database_it_cannot_reach(capsys):
    stop = threading.Event()
    ticks = threading.Timer(0.3, stop.set)
    ticks.start()
    scheduler.serve("postgresql://nobody@127.0.0.1:1/none", stop, tick_s=0.1)  # returns only when stopped
    assert "tick failed" in capsys.readouterr().out
