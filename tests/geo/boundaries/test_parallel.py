"""Planners in parallel: commits and previews on communities apart do not wait for each other,
a commit waits for one in progress on a neighbouring community, and two edits of one shared
edge are one at a time, the second refused. Each commit held open runs in a transaction of
its own connection; the other side runs with a lock_timeout, so a wait fails the test rather
than hanging it."""

import threading
import time
from types import SimpleNamespace

import psycopg
import pytest

from geo.boundaries import commit as commit_module
from geo.boundaries import locks, store
from geo.boundaries.commit import ConflictError, commit_draft
from geo.boundaries.impact import preview
from geo.boundaries.topology import check_topology
from geo.db.connection import connect
from tests.geo.boundaries.conftest import shared_vertex
from tests.geo.boundaries.test_commit import move_shared_vertex
from tests.geo.map.test_day_facts import assert_facts_recount

WAIT_S = 2  # how long a commit that should wait is given to (wrongly) finish
CANDIDATES = """
SELECT a.code FROM admin_area a JOIN grid_current g ON g.community_id = a.id AND g.is_basic
WHERE a.level = 4 AND a.is_urban GROUP BY a.code HAVING count(*) >= 3 ORDER BY a.code
"""


def editable_drafts(conn, count: int = 12) -> list:
    """Drafts of up to `count` urban communities that have an interior shared vertex."""
    drafts = []
    for (code,) in conn.execute(CANDIDATES).fetchall():
        draft = store.open_draft(conn, code, "测试规划员")
        try:
            shared_vertex(draft)
        except AssertionError:
            continue
        drafts.append(draft)
        if len(drafts) == count:
            break
    return drafts


def reached(conn, draft) -> set[int]:
    return {community_id for community_id, _own in locks.reach(conn, draft.id)}


def pair(conn, neighbours: bool) -> tuple:
    """Two drafts of different communities, neighbours (one reaches the other) or apart."""
    drafts = editable_drafts(conn)
    for first in drafts:
        for second in drafts:
            if second.community.id == first.community.id:
                continue
            near = second.community.id in reached(conn, first) or first.community.id in reached(conn, second)
            if near == neighbours:
                return first, second
    pytest.fail(f"no two communities {'beside' if neighbours else 'apart from'} each other in the demo city")


class CommitInProgress:
    """Draft `draft_id` committed on a connection of its own in a thread, stopped just before
    its last step, the audit entry (whose chain is one at a time city-wide, for the moment
    the transaction takes to end): it holds its locks and has written everything. Leaving the
    block lets it finish."""

    def __init__(self, city_db: str, draft_id: int, monkeypatch):
        self.reached, self.release, self.errors = threading.Event(), threading.Event(), []
        self.thread = threading.Thread(target=self._commit, args=(city_db, draft_id))
        real = commit_module.audit_log.record

        def record(*args, **kwargs):
            if threading.current_thread() is self.thread:
                self.reached.set()
                self.release.wait(60)
            return real(*args, **kwargs)

        monkeypatch.setattr(commit_module, "audit_log", SimpleNamespace(record=record))

    def _commit(self, city_db: str, draft_id: int) -> None:
        try:
            with connect(city_db, autocommit=True) as own:
                commit_draft(own, draft_id, "规划员甲", "先提交")
        except Exception as error:  # reported by __exit__
            self.errors.append(error)
            self.reached.set()

    def __enter__(self):
        self.thread.start()
        assert self.reached.wait(60) and not self.errors, self.errors
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(60)
        assert not self.errors, self.errors


def waits_for_a_lock(city_db: str, pid: int, thread: threading.Thread) -> bool:
    """Whether the commit that `thread` runs on backend `pid` is (within WAIT_S) waiting for a
    lock, rather than finished or running."""
    with connect(city_db, autocommit=True) as watcher:
        for _ in range(WAIT_S * 10):
            if not thread.is_alive():
                return False
            state = watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
            if state and state[0] == "Lock":
                return True
            time.sleep(0.1)
    return False


def test_communities_apart_preview_and_commit_while_another_commit_is_in_progress(city_db, conn, monkeypatch):
    first, second = pair(conn, neighbours=False)
    move_shared_vertex(conn, first)
    move_shared_vertex(conn, second)
    with connect(city_db, autocommit=True) as other, CommitInProgress(city_db, first.id, monkeypatch):
        other.execute("SET lock_timeout = '5s'")  # the old city-wide lock: LockNotAvailable here
        assert preview(other, second.id)["risk"], "the preview shows the grids the edit changes"
        assert commit_draft(other, second.id, "规划员乙", "同时提交另一社区")["grids_written"] >= 2
    versions = conn.execute("SELECT count(*) FROM boundary_version WHERE draft_id = ANY(%s)", [[first.id, second.id]])
    assert versions.fetchone()[0] == 2
    assert check_topology(conn)["problems"] == 0
    assert_facts_recount(conn)


def test_a_commit_waits_for_one_in_progress_on_a_neighbouring_community(city_db, conn, monkeypatch):
    """The overlap guard must see the neighbour's grids as committed: the second waits."""
    first, second = pair(conn, neighbours=True)
    move_shared_vertex(conn, first)
    move_shared_vertex(conn, second)
    outcome = []
    with CommitInProgress(city_db, first.id, monkeypatch):
        thread = threading.Thread(target=lambda: outcome.append(commit_draft(conn, second.id, "规划员乙", "等待")))
        thread.start()
        assert waits_for_a_lock(city_db, conn.info.backend_pid, thread), "the commit did not wait for its neighbour's"
    thread.join(60)
    assert len(outcome) == 1 and outcome[0]["grids_written"] >= 2
    assert check_topology(conn)["problems"] == 0
    assert_facts_recount(conn)


def test_two_edits_of_one_shared_edge_are_one_at_a_time_and_the_second_is_refused(
    city_db, conn, community, monkeypatch
):
    drafts = [store.open_draft(conn, community, name) for name in ("规划员甲", "规划员乙")]
    moved = [move_shared_vertex(conn, draft)[2] for draft in drafts]
    assert moved[0] == moved[1], "both drafts move the same vertex of the same shared edge"
    outcome = []

    def second():
        try:
            outcome.append(commit_draft(conn, drafts[1].id, "规划员乙", "后提交"))
        except (ConflictError, psycopg.Error) as error:
            outcome.append(error)

    with CommitInProgress(city_db, drafts[0].id, monkeypatch):
        thread = threading.Thread(target=second)
        thread.start()
        assert waits_for_a_lock(city_db, conn.info.backend_pid, thread), "the second did not wait for the first"
    thread.join(60)
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError) and "规划员甲" in str(outcome[0])
    assert check_topology(conn)["problems"] == 0


def test_a_commit_locks_its_community_alone_and_its_neighbours_shared(conn, community):
    draft = store.open_draft(conn, community, "测试规划员")
    reach = locks.reach(conn, draft.id)
    assert [c for c, own in reach if own] == [draft.community.id]
    assert [c for c, _own in reach] == sorted(c for c, _own in reach), "locked in one order: no deadlock"
    touching = conn.execute(
        "SELECT b.id FROM admin_area a JOIN admin_area b ON ST_Intersects(a.geom, b.geom) AND b.id <> a.id"
        " WHERE a.id = %s AND b.level = 4",
        [draft.community.id],
    ).fetchall()
    assert touching and {row[0] for row in touching} <= {c for c, own in reach if not own}
