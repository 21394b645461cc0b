"""The loop's rules as the database enforces them, driven as the dashboard's role by users with
a role and a jurisdiction: the whole loop, refusals that change nothing, the optimistic check,
and the history and audit every move leaves."""

import threading

import psycopg
import pytest

from geo.db.connection import connect
from geo.loop.moves import MoveError
from tests.geo.loop.conftest import make_case

CASE = (
    "SELECT status, version, closed_at IS NOT NULL, assignee, satisfied, reopened, merged_into FROM cases WHERE id = %s"
)
EVENTS = "SELECT actor, action, from_status, to_status, version, note FROM case_event WHERE case_id = %s ORDER BY id"


def state(url, case_id):
    with connect(url) as conn:
        return conn.execute(CASE, [case_id]).fetchone()


def events(url, case_id):
    with connect(url) as conn:
        return conn.execute(EVENTS, [case_id]).fetchall()


def test_the_whole_loop_from_received_to_called_back_and_reopened(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    desk, worker = users["dispatcher"], users["worker"]
    assert desk.move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["grid"]}).status == "dispatched"
    assert worker.move(case_id, "take", 2).status == "in_progress"
    assert worker.move(case_id, "report_back", 3, "双方达成协议", {"outcome": "success"}).status == "feedback"
    assert desk.move(case_id, "verify", 4).status == "verified"
    assert desk.move(case_id, "close", 5).status == "closed"
    assert state(loop_db, case_id)[:3] == ("closed", 6, True)
    assert desk.move(case_id, "call_back", 6, detail={"satisfied": False, "method": "phone"}).version == 7
    assert state(loop_db, case_id)[4] is False
    assert desk.move(case_id, "reopen", 7, "回访不满意").status == "accepted"
    status, version, closed, assignee, satisfied, reopened, _ = state(loop_db, case_id)
    assert (status, version, closed, satisfied, reopened) == ("accepted", 8, False, None, 1)
    history = events(loop_db, case_id)
    assert [e[1] for e in history] == ["dispatch", "take", "report_back", "verify", "close", "call_back", "reopen"]
    assert [e[0] for e in history] == ["loop_dispatcher", "loop_worker", "loop_worker"] + ["loop_dispatcher"] * 4
    assert [e[4] for e in history] == list(range(2, 9))
    assert history[2][5] == "双方达成协议"
    with connect(loop_db) as conn:
        code = conn.execute("SELECT code FROM cases WHERE id = %s", [case_id]).fetchone()[0]
        audited = conn.execute(
            "SELECT actor, action FROM audit.occurrences WHERE target = %s ORDER BY at", [code]
        ).fetchall()
    assert [a for _, a in audited] == ["case.dispatch", "case.take", "case.report_back", "case.verify", "case.close",
                                       "case.call_back", "case.reopen"]  # fmt: skip


def test_an_illegal_move_is_refused_with_the_moves_allowed_and_changes_nothing(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    before = state(loop_db, case_id)
    with pytest.raises(MoveError) as refused:
        users["dispatcher"].move(case_id, "close", 1)
    assert refused.value.kind == "illegal"
    assert refused.value.detail["allowed"] == ["dispatch", "escalate", "merge"]
    assert "受理" in refused.value.in_language("zh") and "分拨" in refused.value.in_language("zh")
    assert state(loop_db, case_id) == before and events(loop_db, case_id) == []


def test_a_stale_move_is_told_who_moved_the_case(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    desk = users["dispatcher"]
    desk.move(case_id, "dispatch", 1, detail={"kind": "department", "to": "housing"})
    with pytest.raises(MoveError) as stale:  # a second dispatcher's page still shows version 1
        desk.move(case_id, "merge", 1, detail={"into": "x"})
    assert stale.value.kind == "stale"
    assert stale.value.detail["actor"] == "loop_dispatcher" and stale.value.detail["version"] == 2
    assert "loop_dispatcher" in stale.value.in_language("zh")
    assert len(events(loop_db, case_id)) == 1


def test_two_movers_at_once_one_wins_and_nothing_is_half_written(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    outcomes, start = [], threading.Barrier(4)

    def act(action, detail):
        start.wait()
        try:
            outcomes.append(users["dispatcher"].move(case_id, action, 1, "并发", detail).status)
        except MoveError as error:
            outcomes.append(error.kind)

    threads = [threading.Thread(target=act, args=("dispatch", {"kind": "mediation", "to": "people_med"})),
               threading.Thread(target=act, args=("escalate", {})),
               threading.Thread(target=act, args=("dispatch", {"kind": "grid", "to": places["grid"]})),
               threading.Thread(target=act, args=("escalate", {}))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("stale") == 3, outcomes
    assert state(loop_db, case_id)[1] == 2 and len(events(loop_db, case_id)) == 1


def test_roles_and_jurisdictions_are_checked_in_the_database(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    with pytest.raises(MoveError) as leader:
        users["leader"].move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["grid"]})
    assert leader.value.kind == "refused"
    with pytest.raises(MoveError) as away:  # a dispatcher of another township: no such case
        users["away_dispatcher"].move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["grid"]})
    assert away.value.kind == "bad_input" and away.value.detail["field"] == "case"
    with pytest.raises(MoveError) as far_grid:  # nor may it dispatch to a grid outside its township
        users["dispatcher"].move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["away_grid"]})
    assert far_grid.value.detail["field"] == "to"
    users["dispatcher"].move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["grid"]})
    with pytest.raises(MoveError) as not_theirs:  # a worker of another grid does not see it
        users["other_worker"].move(case_id, "take", 2)
    assert not_theirs.value.detail["field"] == "case"
    with pytest.raises(MoveError) as not_a_worker_move:
        users["worker"].move(case_id, "merge", 2, detail={"into": "x"})
    assert not_a_worker_move.value.kind == "refused"
    assert state(loop_db, case_id)[:2] == ("dispatched", 2)
    to_department = make_case(loop_db, places["grid"])
    users["dispatcher"].move(to_department, "dispatch", 1, detail={"kind": "department", "to": "urban_admin"})
    with pytest.raises(MoveError) as departments:  # the grid's worker takes only what was sent to the grid
        users["worker"].move(to_department, "take", 2)
    assert departments.value.kind == "refused"


def test_the_dashboard_role_cannot_write_cases_or_their_history_directly(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    for sql in ("UPDATE cases SET status = 'closed', closed_at = now() WHERE id = %s",
                "INSERT INTO case_event (case_id, actor, action, to_status, version) VALUES (%s, 'x', 'close', 'closed', 9)",
                "DELETE FROM case_event WHERE case_id = %s"):  # fmt: skip
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            users["dispatcher"].execute(sql, [case_id])
    assert state(loop_db, case_id)[:2] == ("accepted", 1)


@pytest.mark.parametrize(
    "action, note, detail, field",
    [
        ("dispatch", "", {"kind": "department", "to": "no_such_bureau"}, "to"),
        ("dispatch", "", {"kind": "grid", "to": "housing"}, "to"),
        ("dispatch", "", {"kind": "department", "to": "housing", "partners": ["housing"]}, "partners"),
        ("merge", "", {"into": "NO-SUCH-CASE"}, "into"),
    ],
)
def test_bad_input_is_refused_by_field(loop_db, places, users, action, note, detail, field):
    case_id = make_case(loop_db, places["grid"])
    with pytest.raises(MoveError) as refused:
        users["dispatcher"].move(case_id, action, 1, note, detail)
    assert (refused.value.kind, refused.value.detail["field"]) == ("bad_input", field)
    assert state(loop_db, case_id)[:2] == ("accepted", 1)


def test_reasons_outcomes_and_call_backs_are_required_where_the_loop_needs_them(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    desk, worker = users["dispatcher"], users["worker"]
    desk.move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["grid"]})
    with pytest.raises(MoveError, match="reason"):
        worker.move(case_id, "return", 2, "   ")
    worker.move(case_id, "return", 2, "不属于本网格")
    desk.move(case_id, "dispatch", 3, detail={"kind": "grid", "to": places["grid"]})
    worker.move(case_id, "take", 4)
    with pytest.raises(MoveError, match="outcome"):
        worker.move(case_id, "report_back", 5, "已处理", {"outcome": "maybe"})
    worker.move(case_id, "report_back", 5, "已处理", {"outcome": "litigation"})
    with pytest.raises(MoveError, match="reason"):
        desk.move(case_id, "redo", 6)
    desk.move(case_id, "verify", 6)
    desk.move(case_id, "close", 7)
    for detail in ({}, {"satisfied": "yes", "method": "phone"}, {"satisfied": True, "method": "email"}):
        with pytest.raises(MoveError, match="satisfied"):
            desk.move(case_id, "call_back", 8, detail=detail)
    desk.move(case_id, "call_back", 8, detail={"satisfied": True, "method": "visit"})
    assert state(loop_db, case_id)[:5] == ("closed", 9, True, places["grid"], True)
    with pytest.raises(MoveError) as twice:  # once a closing
        desk.move(case_id, "call_back", 9, detail={"satisfied": False, "method": "phone"})
    assert twice.value.kind == "illegal" and twice.value.detail["allowed"] == ["reopen"]


def test_a_duplicate_is_merged_into_its_case_and_counts_as_closed(loop_db, places, users):
    first, second = make_case(loop_db, places["grid"]), make_case(loop_db, places["grid"])
    first_code = conn_code(loop_db, first)
    with pytest.raises(MoveError):
        users["dispatcher"].move(first, "merge", 1, detail={"into": first_code})
    users["dispatcher"].move(second, "merge", 1, detail={"into": first_code})
    assert state(loop_db, second)[0] == "closed" and state(loop_db, second)[6] == first
    with pytest.raises(MoveError) as merged:
        users["dispatcher"].move(first, "merge", 1, detail={"into": conn_code(loop_db, second)})
    assert merged.value.detail["field"] == "into"  # not into a case merged itself
    users["dispatcher"].move(second, "reopen", 2, "不是同一件事")
    assert state(loop_db, second)[0] == "accepted" and state(loop_db, second)[6] is None


def conn_code(url, case_id):
    with connect(url) as conn:
        return conn.execute("SELECT code FROM cases WHERE id = %s", [case_id]).fetchone()[0]


def test_a_state_changed_by_an_import_is_a_move_of_its_own(loop_db, places):
    case_id = make_case(loop_db, places["grid"])
    with connect(loop_db) as conn, conn.transaction():
        conn.execute("UPDATE cases SET status = 'in_progress' WHERE id = %s", [case_id])
        conn.execute("UPDATE cases SET summary = '改了摘要' WHERE id = %s", [case_id])
    assert state(loop_db, case_id)[:2] == ("in_progress", 2)
    assert [e[1:5] for e in events(loop_db, case_id)] == [("import", "accepted", "in_progress", 2)]


def test_a_case_with_no_placement_is_outside_every_jurisdiction_but_the_whole(loop_db, places, users):
    with connect(loop_db) as conn, conn.transaction():  # an address nobody could place: no case_assignment
        case_id = conn.execute(
            """INSERT INTO cases (code, source, category_code, summary, reported_at, address_text, status, deadline)
               VALUES ('LOOP-UNPLACED', 'hotline_12345', 'dispute_neighbour', '未落位', now(), '查无此地', 'accepted',
                       now() + interval '7 days') RETURNING id"""
        ).fetchone()[0]
    for who in ("dispatcher", "away_dispatcher"):
        with pytest.raises(MoveError) as refused:
            users[who].move(case_id, "dispatch", 1, detail={"kind": "department", "to": "housing"})
        assert refused.value.detail["field"] == "case", who
    assert state(loop_db, case_id)[:2] == ("accepted", 1)


def test_an_imported_case_in_hand_without_a_handler_is_no_grid_workers(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    with connect(loop_db) as conn, conn.transaction():  # the city's platform says 已派遣, to nobody named
        conn.execute("UPDATE cases SET status = 'dispatched' WHERE id = %s", [case_id])
    with pytest.raises(MoveError) as refused:
        users["worker"].move(case_id, "take", 2)
    assert refused.value.kind == "refused"


def test_a_case_dispatched_to_the_neighbouring_grid_is_that_grids_workers(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])  # placed in the first grid, sent to the other one
    users["dispatcher"].move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["other_grid"]})
    assert users["other_worker"].move(case_id, "take", 2).status == "in_progress"
    with pytest.raises(MoveError):
        users["worker"].move(case_id, "report_back", 3, "不是我的")  # the first grid's worker: not dispatched to them


def test_the_stale_message_names_the_move_in_chinese(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    users["dispatcher"].move(case_id, "escalate", 1)
    with pytest.raises(MoveError) as stale:
        users["dispatcher"].move(case_id, "escalate", 1)
    assert "（上报）" in stale.value.in_language("zh")


def test_a_clock_of_no_hours_has_no_end(loop_db):
    with connect(loop_db) as conn:
        assert conn.execute("SELECT case_add_working_hours(now(), NULL, 'Asia/Shanghai')").fetchone()[0] is None
