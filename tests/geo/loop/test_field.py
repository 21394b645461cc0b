"""The field work's rules, as the dashboard's role: photos checked by what they are and stored
only with a move of the uploader's, served only inside the jurisdiction; cases reported at a
position placed at once; visits logged only in the worker's own grid, and their coverage."""

import io

import psycopg
import pytest
from PIL import Image

from geo.auth.sessions import use_session
from geo.db.connection import app_database_url, connect
from geo.errors import UserError
from geo.loop import field, intake, moves, photos
from tests.geo.loop.conftest import make_case


def image_bytes(kind: str, size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize("kind, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_a_photo_is_known_by_its_bytes_not_its_name(kind, mime):
    assert photos.checked("现场.gif", image_bytes(kind)).mime == mime


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"%PDF-1.7 not an image", "JPEG, PNG or WebP"),
        (image_bytes("GIF"), "GIF images are not taken"),
        (image_bytes("JPEG")[:40], "JPEG, PNG or WebP"),  # cut short
        (b"", "5 MB"),
        (b"\xff\xd8\xff" + bytes(photos.MAX_BYTES), "5 MB"),
        (image_bytes("PNG", (8000, 6000)), "too large"),
    ],
)
def test_what_is_not_a_photo_within_the_limits_is_refused(content, reason):
    with pytest.raises(UserError, match=reason):
        photos.checked("x.jpg", content)


def test_an_upload_that_is_not_a_data_url_is_refused():
    with pytest.raises(UserError, match="not a file upload"):
        photos.from_upload("x.jpg", "data:image/jpeg;base64,@@@")


def session_conn(user) -> psycopg.Connection:
    conn = psycopg.connect(app_database_url(user.url), autocommit=True)
    return conn


def test_photos_go_with_the_uploaders_move_and_stay_in_the_jurisdiction(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    users["dispatcher"].move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["grid"]})
    users["worker"].move(case_id, "take", 2)
    shot = photos.checked("现场.jpg", image_bytes("JPEG"))
    with session_conn(users["worker"]) as conn:
        with conn.transaction():
            use_session(conn, users["worker"].token)
            moved = moves.move(conn, case_id, "report_back", 3, "已处理")
            photo_id = photos.attach(conn, moved.event_id, shot)
        with pytest.raises(UserError), conn.transaction():  # a later transaction cannot add to that move
            use_session(conn, users["worker"].token)
            photos.attach(conn, moved.event_id, shot)
        for who, seen in (("worker", True), ("dispatcher", True), ("away_dispatcher", False)):
            with conn.transaction():
                use_session(conn, users[who].token)
                got = photos.read(conn, photo_id)
            assert (got is not None and got.content == shot.content) == seen, who
        with conn.transaction():  # nobody signed in: nothing
            assert photos.read(conn, photo_id) is None
        with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
            conn.execute("SELECT content FROM case_attachment")


def test_a_refused_report_stores_no_photo(loop_db, places, users):
    case_id = make_case(loop_db, places["grid"])
    users["dispatcher"].move(case_id, "dispatch", 1, detail={"kind": "grid", "to": places["grid"]})
    with session_conn(users["worker"]) as conn, pytest.raises(UserError), conn.transaction():
        use_session(conn, users["worker"].token)
        moves.move(conn, case_id, "report_back", 2, "跳过签收")  # not taken yet: illegal
    with connect(loop_db) as conn:
        assert conn.execute("SELECT count(*) FROM case_attachment WHERE case_id = %s", [case_id]).fetchone()[0] == 0


def test_a_case_reported_on_the_phone_is_received_and_placed_in_one_go(loop_db, places, users):
    with connect(loop_db) as conn:
        lat, lon = conn.execute(
            "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid_current WHERE code = %s) g",
            [places["grid"]],
        ).fetchone()
    with session_conn(users["worker"]) as conn, conn.transaction():
        use_session(conn, users["worker"].token)
        received = intake.report(conn, "hazard_fire", "楼道堆放杂物", lon, lat)
    assert received.placement == "assigned" and received.grid_code == places["grid"]
    with connect(loop_db) as conn:
        row = conn.execute(
            """SELECT c.status, c.source, e.actor, e.action, c.deadline > c.reported_at FROM cases c
               JOIN case_event e ON e.case_id = c.id WHERE c.id = %s""",
            [received.id],
        ).fetchone()
    assert row == ("accepted", "grid_worker", "loop_worker", "receive", True)
    for bad in ((None, None, None), (2.35, 48.85, None)):
        with pytest.raises(UserError), session_conn(users["worker"]) as conn, conn.transaction():
            use_session(conn, users["worker"].token)
            intake.report(conn, "hazard_fire", "x", *bad)
    with pytest.raises(UserError), session_conn(users["leader"]) as conn, conn.transaction():
        use_session(conn, users["leader"].token)
        intake.report(conn, "hazard_fire", "x", lon, lat)


def test_visits_are_logged_in_the_workers_grid_and_counted(loop_db, places, users):
    with connect(loop_db) as conn:
        grid_id, other_grid = (
            conn.execute("SELECT id FROM grid_current WHERE code = %s", [code]).fetchone()[0]
            for code in (places["grid"], places["other_grid"])
        )
        mine = field.visit_targets(conn, [grid_id])
        theirs = field.visit_targets(conn, [other_grid])
        before = field.coverage(conn, [grid_id])
    buildings = [t for t in mine if t["kind"] == "b"]
    assert buildings and before.buildings == len(buildings)
    with session_conn(users["worker"]) as conn:
        for target in (f"b:{buildings[0]['id']}", f"b:{buildings[0]['id']}", f"b:{buildings[-1]['id']}"):
            with conn.transaction():
                use_session(conn, users["worker"].token)
                field.log_visit(conn, target, "入户走访")
        for target in (f"b:{theirs[0]['id']}", "b:abc", ""):
            with pytest.raises(UserError), conn.transaction():
                use_session(conn, users["worker"].token)
                field.log_visit(conn, target)
    with connect(loop_db) as conn:
        after = field.coverage(conn, [grid_id])
    visited = len({buildings[0]["id"], buildings[-1]["id"]})
    assert after.buildings_visited - before.buildings_visited == visited
