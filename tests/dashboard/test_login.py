"""Signing in and out, on the server: sessions that end at logout, expiry, idle time,
revocation or a disabled user (a copied cookie stops working too), pages by permission, and the
audit entries of all of it. The throttle of failed sign-ins: test_login_throttle.py."""

import pytest

from dashboard.app import create_app
from geo.auth.sessions import revoke_sessions
from geo.auth.users import set_active
from geo.db.connection import connect
from tests.dashboard.conftest import DEMO_PASSWORDS, add_demo_users, post_login, signed_in_client

COOKIE = "safety_map_session"


@pytest.fixture(scope="module")
def app(city_db_module):
    add_demo_users(city_db_module)
    return create_app(city_db_module)


@pytest.fixture(scope="module")
def city_db_module(city_template, server_url):
    from tests.conftest import copy_database

    yield from copy_database(city_template, server_url)


@pytest.fixture(scope="module")
def owner(city_db_module):
    with connect(city_db_module, autocommit=True) as conn:
        yield conn


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/", 302),
        ("get", "/boundaries?c=1", 302),
        ("get", "/wall/", 302),
        ("get", "/_dash-layout", 401),
        ("get", "/_dash-dependencies", 401),
        ("post", "/_dash-update-component", 401),
        ("post", "/wall/_dash-update-component", 401),
        ("get", "/map/heat.png?u=", 401),
        ("get", "/map/tiles/12/3340/1644.webp", 401),
    ],
)
def test_nothing_but_the_login_page_without_signing_in(app, method, path, status):
    response = getattr(app.server.test_client(), method)(path, json={} if method == "post" else None)
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/login?next=")


def test_a_login_opens_a_session_and_is_audited(app, owner):
    client = signed_in_client(app, "township")
    assert client.get("/").status_code == 200
    cookie = client.get_cookie(COOKIE)
    assert cookie.http_only and cookie.same_site == "Lax"
    stored = owner.execute("SELECT password_hash FROM auth.app_user WHERE username = 'township'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "township-demo-2026" not in stored
    entry = owner.execute("SELECT actor FROM audit.log WHERE action = 'login' ORDER BY id DESC LIMIT 1").fetchone()
    assert entry == ("township",)


def test_a_wrong_password_is_refused_and_audited(app, owner):
    response = post_login(app.server.test_client(), "leader", "not-the-password")
    assert response.status_code == 401 and "用户名或密码不正确" in response.get_data(as_text=True)
    last = owner.execute("SELECT action, target FROM audit.log ORDER BY id DESC LIMIT 1").fetchone()
    assert last == ("login.failed", "leader")


def test_an_unknown_user_gets_the_same_answer(app):
    response = post_login(app.server.test_client(), "nobody-here", "whatever-password")
    assert response.status_code == 401 and "用户名或密码不正确" in response.get_data(as_text=True)


def test_logout_ends_the_session_on_the_server(app):
    client = signed_in_client(app, "leader")
    copied = client.get_cookie(COOKIE).value
    assert client.post("/logout").headers["Location"] == "/login"
    thief = app.server.test_client()
    thief.set_cookie(COOKIE, copied)
    assert thief.get("/").status_code == 302  # the copied cookie is dead too


@pytest.mark.parametrize(
    "end",
    [
        "UPDATE auth.app_session SET expires_at = now() - interval '1 second'",
        "UPDATE auth.app_session SET last_seen = now() - interval '3 hours'",
    ],
)
def test_expiry_and_idle_time_end_a_session(app, owner, end):
    client = signed_in_client(app, "planner")
    assert client.get("/").status_code == 200
    owner.execute(end + " WHERE user_id = (SELECT id FROM auth.app_user WHERE username = 'planner')")
    assert client.get("/").status_code == 302


def test_a_wall_screen_is_not_signed_out_for_being_idle(app, owner):
    client = signed_in_client(app, "wall")
    owner.execute(
        "UPDATE auth.app_session SET last_seen = now() - interval '3 hours'"
        " WHERE user_id = (SELECT id FROM auth.app_user WHERE username = 'wall')"
    )
    assert client.get("/wall/").status_code == 200


def test_revoking_or_disabling_a_user_ends_its_sessions(app, owner):
    revoked, disabled = signed_in_client(app, "officer"), signed_in_client(app, "admin")
    revoke_sessions(owner, "officer", "tests")
    set_active(owner, "admin", False, "tests")
    try:
        assert revoked.get("/").status_code == 302
        assert disabled.get("/").status_code == 302
    finally:
        set_active(owner, "admin", True, "tests")
    assert owner.execute("SELECT count(*) FROM audit.log WHERE action = 'session.revoked'").fetchone()[0] >= 1


def test_pages_need_their_permission(app):
    leader, admin = signed_in_client(app, "township"), signed_in_client(app, "admin")
    assert leader.get("/boundaries").headers["Location"] == "/"
    assert leader.get("/data").headers["Location"] == "/"
    assert leader.get("/overview").status_code == 200
    assert admin.get("/data").status_code == 200
    layout = leader.get("/_dash-layout").get_data(as_text=True)
    assert "边界编辑" not in layout and "退出" in layout
    assert "边界编辑" in admin.get("/_dash-layout").get_data(as_text=True)


def test_the_login_form_needs_its_token_and_never_sends_elsewhere(app):
    client = app.server.test_client()
    response = client.post("/login", data={"username": "leader", "password": DEMO_PASSWORDS["leader"]})
    assert response.status_code == 400
    client.get("/login")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/x"):
        response = post_login(client, "leader", DEMO_PASSWORDS["leader"], next_page=target)
        assert response.status_code == 302 and response.headers["Location"] == "/"
        client.post("/logout")


def test_refused_callbacks_are_one_audit_run_whatever_they_name(app, owner):
    """A signed-in user sending 200 refused callbacks, most naming made-up outputs: one entry
    now and one summary of all 200 later, not 200 entries (geo/audit/log.py)."""
    client = signed_in_client(app, "officer")  # no boundary editor
    key = next(k for k in app.callback_map if k.startswith("..bnd-grids.data"))
    before = owner.execute("SELECT count(*) FROM audit.log WHERE action = 'access.denied'").fetchone()[0]
    for output in [key] * 20 + [f"..made-up-{n}.data.." for n in range(180)]:
        assert client.post("/_dash-update-component", json={"output": output, "inputs": []}).status_code == 403
    after = owner.execute("SELECT count(*) FROM audit.log WHERE action = 'access.denied'").fetchone()[0]
    assert after - before == 1
    times = "SELECT sum(times) FROM audit.occurrences WHERE action = 'access.denied' AND actor = 'officer'"
    assert owner.execute(times).fetchone()[0] == 200
