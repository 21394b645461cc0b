"""The project's own scheduler (no cron of the machine's): `python -m geo scheduler` runs until
stopped, and the dashboard starts one beside itself.

Jobs are rows of scheduler_job (name, every_s). Each tick looks for the jobs due; a due job is
claimed in its own transaction under an advisory lock and a second look (claim_job.sql), so
that two schedulers on one database never run it at once, and its start, end and result are
noted there: after a restart the rhythm goes on where it was, and what a job does (escalate,
build a pack) is itself safe to repeat.
"""

import threading
import time
from collections.abc import Callable

import psycopg
from psycopg.types.json import Jsonb

from geo.db.connection import connect, load_query
from geo.loop.escalation import escalate_due

TICK_S = 10.0

# name → what it does in a transaction, returning a JSON-able result
JOBS: dict[str, Callable[[psycopg.Connection], object]] = {
    "escalate": lambda conn: {"escalated": escalate_due(conn)},
}


def run_due(url: str | None = None, jobs: dict | None = None) -> dict[str, object]:
    """Run every job due now once; returns {name: result or the error's text}."""
    jobs = JOBS if jobs is None else jobs
    done = {}
    with connect(url, autocommit=True) as conn:
        for (name,) in conn.execute(load_query("loop/due_jobs")).fetchall():
            if name in jobs:
                outcome = _run_one(conn, name, jobs[name])
                if outcome is not None:
                    done[name] = outcome
    return done


def serve(url: str | None = None, stop: threading.Event | None = None, tick_s: float = TICK_S) -> None:
    """Run due jobs every `tick_s` seconds until `stop` is set (or the process ends). A tick
    that fails (the database restarting) is reported and the next one tries again."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            for name, outcome in run_due(url).items():
                print(f"scheduler: {name}: {outcome}", flush=True)
        except (psycopg.Error, OSError) as error:
            print(f"scheduler: tick failed: {str(error).strip().splitlines()[0]}", flush=True)
        stop.wait(tick_s)


def _run_one(conn: psycopg.Connection, name: str, job: Callable) -> object | None:
    """Claim and run job `name`; None when another scheduler has it or it is no longer due."""
    started = time.perf_counter()
    try:
        with conn.transaction():
            if conn.execute(load_query("loop/claim_job"), {"name": name}).fetchone() is None:
                return None
            result = job(conn)
            _finish(conn, name, {"result": result, "seconds": round(time.perf_counter() - started, 3)}, None)
        return result
    except psycopg.Error as error:
        message = str(error).strip().splitlines()[0]
        with conn.transaction():
            _finish(conn, name, None, message)
        return f"error: {message}"


def _finish(conn: psycopg.Connection, name: str, result: dict | None, error: str | None) -> None:
    conn.execute(load_query("loop/finish_job"), {"name": name, "result": Jsonb(result) if result else None, "error": error})
