"""The project's own scheduler (no cron of the machine's): `python -m geo scheduler` runs until
stopped, and the dashboard starts one beside itself.

Jobs are rows of scheduler_job (name, every_s). Each tick looks for the jobs due; a due job is
claimed in its own transaction under an advisory lock and a second look (claim_job.sql), so
that two schedulers on one database never run it at once, and its start, end and result are
noted there: after a restart the rhythm goes on where it was, and what a job does (escalate,
build a pack) is itself safe to repeat.
"""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg.types.json import Jsonb

from geo.db.connection import connect, load_query
from geo.errors import UserError
from geo.loop.escalation import escalate_due
from geo.shared.processes import die_with_parent

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
                if not isinstance(outcome, dict) or any(outcome.values()):  # a run that did nothing is not news
                    print(f"scheduler: {name}: {outcome}", flush=True)
        except (psycopg.Error, OSError, UserError) as error:  # UserError: the database cannot be reached
            print(f"scheduler: tick failed: {str(error).strip().splitlines()[0]}", flush=True)
        stop.wait(tick_s)


@contextmanager
def beside(enabled: bool = True) -> Iterator[subprocess.Popen | None]:
    """`python -m geo scheduler` in a child process while the block runs (the dashboard's
    main process), ended with it; nothing when not `enabled`. The child acts as the owner
    (the configured DATABASE_URL), like the command line."""
    if not enabled:
        yield None
        return
    starter = os.getpid()
    child = subprocess.Popen([sys.executable, "-m", "geo", "scheduler"], stdin=subprocess.DEVNULL,
                             preexec_fn=die_with_parent)  # fmt: skip
    try:
        yield child
    finally:
        if os.getpid() == starter:  # not in the web server's forked workers
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


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
    conn.execute(
        load_query("loop/finish_job"), {"name": name, "result": Jsonb(result) if result else None, "error": error}
    )
