"""Planners in parallel (`python -m bench.boundaries --planners 10`): N planners, each a
process with its own connection, edit N different communities drawn at random (seed 42) and
preview, then commit, all at the same moment.

Measured in the same run, on the same drafts:
- alone: each preview run by itself, one after another (what a planner sees with nobody else);
- one city-wide lock: all at once, each preview and commit first taking one advisory lock
  common to all (the lock every boundary commit and preview took before migration 0024), so
  they queue as they did;
- at once: all at once with the community locks only (geo/boundaries/locks.py).
Previews are rolled back, so each mode previews the same edits. The commits are real: each
planner commits under the city-wide lock, then makes the same edit on a new draft and commits
it at once with the others. So this runs in a scratch copy of the database, dropped afterwards.
"""

import multiprocessing
import os
import random
import statistics
import threading
import time

from psycopg.conninfo import conninfo_to_dict

from geo.db.connection import connect, create_database, drop_database, with_dbname

CITY_WIDE_LOCK = "SELECT pg_advisory_xact_lock(%s)"
CITY_WIDE_LOCK_KEY = 0xB0DA7  # the key of the one lock boundary commits took before
ROUNDS = 2  # previews per planner and mode (a preview changes nothing, so it can be repeated)
SAMPLE_S = 0.02
BUSY = """SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), count(*) FROM pg_stat_activity
WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()"""


def measure(url: str, planners: int, candidates: list[str]) -> dict:
    """Seconds of each planner's previews and commits in each mode, on a scratch copy of the
    database at `url`; `candidates` are the codes of communities with an edit to make."""
    name = conninfo_to_dict(url)["dbname"]
    copy = with_dbname(url, f"{name}_planners")
    create_database(copy, template=name)
    try:
        return _measure(copy, planners, candidates)
    finally:
        drop_database(copy)


def _measure(url: str, planners: int, candidates: list[str]) -> dict:
    codes = random.Random(42).sample(candidates, min(planners, len(candidates)))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(codes))
    pool = [Planner(context, url, code, barrier) for code in codes]
    try:
        ready = [planner.ask("open") for planner in pool]
        active = [planner for planner, ok in zip(pool, ready) if ok]
        timings = {"planners": len(active), "neighbours": _neighbour_pairs(url, [p.code for p in active])}
        _record(timings, "alone", [planner.ask("preview") for _ in range(ROUNDS) for planner in active])
        # Every process waits at the barrier, those without an edit to make too (they answer None).
        for mode in ("city-wide lock", "at once"):
            with LockWaits(url) as waits:
                _record(timings, mode, [a for _ in range(ROUNDS) for a in _all_at_once(pool, f"preview {mode}")])
            timings[f"{mode} waiting"] = waits.share()
        for mode in ("commit city-wide lock", "commit at once"):
            with LockWaits(url) as waits:
                _record(timings, mode, _all_at_once(pool, mode))
            timings[f"{mode} waiting"] = waits.share()
            for planner in active:  # the same edit again, on a new draft of what was committed
                planner.ask("open")
    finally:
        for planner in pool:
            planner.stop()
    return timings


def _all_at_once(pool: list, command: str) -> list[tuple]:
    for planner in pool:
        planner.send(command)
    return [answer for answer in (planner.receive() for planner in pool) if answer is not None]


def _record(timings: dict, mode: str, answers: list[tuple]) -> None:
    """The seconds on the clock of `mode`, and of CPU where it could be read."""
    timings[mode] = [wall for wall, _cpu in answers]
    timings[f"{mode} cpu"] = [cpu for _wall, cpu in answers if cpu is not None]


def _neighbour_pairs(url: str, codes: list[str]) -> int:
    """How many pairs of the communities lock each other (one reaches the other)."""
    from geo.boundaries import locks

    with connect(url) as conn:
        reach = {}
        for code in codes:
            draft_id = conn.execute(
                "SELECT d.id FROM boundary_draft d JOIN admin_area a ON a.id = d.community_id"
                " WHERE a.code = %s AND d.status = 'open' ORDER BY d.id DESC LIMIT 1",
                [code],
            ).fetchone()[0]
            reach[code] = {c for c, _own in locks.reach(conn, draft_id)}
        ids = dict(conn.execute("SELECT code, id FROM admin_area WHERE code = ANY(%s)", [codes]).fetchall())
    return sum(1 for i, a in enumerate(codes) for b in codes[i + 1 :] if ids[b] in reach[a] or ids[a] in reach[b])


class LockWaits:
    """While the block runs, how often the database's busy connections wait for a lock:
    sampled every SAMPLE_S from pg_stat_activity. What the planners' own CPU and the machine's
    load cannot explain."""

    def __init__(self, url: str):
        self.url, self.waiting, self.busy = url, 0, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample)

    def _sample(self) -> None:
        with connect(self.url, autocommit=True) as conn:
            while not self.done.wait(SAMPLE_S):
                waiting, busy = conn.execute(BUSY).fetchone()
                self.waiting, self.busy = self.waiting + waiting, self.busy + busy

    def share(self) -> float:
        return self.waiting / self.busy if self.busy else 0.0

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()


class Planner:
    """A planner in a process of its own: opens and edits a draft of its community, then
    previews or commits on command, waiting at the barrier first when all start at once."""

    def __init__(self, context, url: str, code: str, barrier):
        self.code = code
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, url, code, barrier), daemon=True)
        self.process.start()

    def send(self, command: str) -> None:
        self.pipe.send(command)

    def receive(self):
        answer = self.pipe.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def ask(self, command: str):
        self.send(command)
        return self.receive()

    def stop(self) -> None:
        if self.process.is_alive():
            self.pipe.send("stop")
            self.process.join(30)


def _serve(pipe, url: str, code: str, barrier) -> None:
    """The planner's loop: answer each command with the seconds it took, on the clock and of
    CPU (None: nothing to do)."""
    with connect(url, autocommit=True) as conn:
        draft_id = None
        while (command := pipe.recv()) != "stop":
            try:
                if command == "open":  # and one preview, untimed: a server's workers are warm
                    draft_id = _open(conn, code)
                    if draft_id is not None:
                        _step(conn, draft_id, "preview")
                    pipe.send(draft_id is not None)
                    continue
                if command != "preview":
                    barrier.wait()
                pipe.send(None if draft_id is None else _step(conn, draft_id, command))
            except Exception as error:  # to the parent, which raises it
                pipe.send(error)


def _open(conn, code: str) -> int | None:
    from bench.boundaries import NUDGE_DEG, interior_shared_vertex
    from geo.boundaries import edits, store

    draft = store.open_draft(conn, code, "bench")
    found = interior_shared_vertex(draft)
    if found is None:
        return None
    vertex = found[2]
    with store.editing(conn, draft.id, "move_vertex", {}) as changed:
        edits.move_vertex(changed, vertex, (vertex[0] + NUDGE_DEG[0], vertex[1] + NUDGE_DEG[1]))
    return draft.id


def _step(conn, draft_id: int, command: str) -> tuple[float, float | None]:
    """Seconds on the clock, and of CPU (this process's and its database connection's, None
    when the database's processes cannot be read here)."""
    from geo.boundaries.commit import commit_draft
    from geo.boundaries.impact import preview

    started, cpu, backend = time.perf_counter(), time.process_time(), _backend_cpu(conn)
    if command.endswith("city-wide lock"):  # the old lock, held to the end of the transaction
        with conn.transaction(force_rollback=command.startswith("preview")):
            conn.execute(CITY_WIDE_LOCK, [CITY_WIDE_LOCK_KEY])
            _do(conn, draft_id, command, preview, commit_draft)
    else:
        _do(conn, draft_id, command, preview, commit_draft)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = _backend_cpu(conn)
    return wall, None if backend is None or after is None else cpu + after - backend


def _backend_cpu(conn) -> float | None:
    """CPU seconds of the connection's server process so far (a database on this machine)."""
    try:
        with open(f"/proc/{conn.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _do(conn, draft_id: int, command: str, preview, commit_draft) -> None:
    if command.startswith("preview"):
        preview(conn, draft_id)
    else:
        commit_draft(conn, draft_id, "bench", "benchmark: planners at once")


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def report(timings: dict) -> str:
    lines = [
        f"{timings['planners']} planners at once, each its own community and connection "
        f"({timings['neighbours']} pairs of them neighbours, which wait for each other):"
    ]
    for name, label in (
        ("alone", "preview, alone (one after another)"),
        ("city-wide lock", "preview, one city-wide lock (before)"),
        ("at once", "preview, community locks (now)"),
        ("commit city-wide lock", "commit, one city-wide lock (before)"),
        ("commit at once", "commit, community locks (now)"),
    ):
        values, waiting, cpu = timings[name], timings.get(f"{name} waiting"), timings[f"{name} cpu"]
        line = f"  {label:<38} p50 {statistics.median(values) * 1000:6.0f} ms   p95 {percentile(values, 0.95) * 1000:6.0f} ms"
        line += f"   CPU median {statistics.median(cpu) * 1000:4.0f} ms" if cpu else ""
        lines.append(line + (f"   waiting for a lock {waiting:4.0%}" if waiting is not None else ""))
    before, now = percentile(timings["city-wide lock"], 0.95), percentile(timings["at once"], 0.95)
    lines.append(f"  preview p95 now / before: {now / before:.2f}x (goal: p95 <= 1 s)")
    cpu = timings["alone cpu"]
    if cpu:
        floor = statistics.mean(cpu) * timings["planners"] / (os.cpu_count() or 1)
        lines.append(
            f"  CPU of a preview (planner and its database process) median {statistics.median(cpu) * 1000:.0f} ms: "
            f"{timings['planners']} of them on {os.cpu_count()} idle cores need at least {floor * 1000:.0f} ms"
        )
    return "\n".join(lines)
