"""`python -m dashboard` serves through its own nginx (dashboard/proxy.py): the app works
through it, a burst of sign-in attempts from one address is refused by nginx before Python,
and an X-Forwarded-For sent by the client does not change the address the sign-in throttle and
the audit log record."""

import http.client
import json
import secrets
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.browser import serving
from dashboard.app import create_app
from dashboard.login_page import form_fields
from geo.db.connection import connect
from tests.conftest import copy_database
from tests.dashboard.test_callback_input import envelope
from tests.dashboard.test_serving import signed_in_opener

pytestmark = pytest.mark.slow  # real processes: gunicorn behind nginx

BURST = 20
PER_ADDRESS = 5  # sign-in attempts nginx lets through from one address at once


@pytest.fixture(scope="module")
def database(demo_template, server_url):
    yield from copy_database(demo_template, server_url)


@pytest.fixture(scope="module")
def dashboard(database):
    with serving(database, DASH_WORKERS="1", PROXY_LOGIN_RATE_PER_ADDRESS=f"{PER_ADDRESS} per minute") as running:
        yield running


def nginx_children(process) -> list[int]:
    """The nginx processes `python -m dashboard` started (its children named nginx)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return [int(pid) for pid in children if Path(f"/proc/{pid}/comm").read_text().strip() == "nginx"]


def post_sign_in(url: str, source: str, username: str, **headers: str) -> http.client.HTTPResponse:
    """A wrong password for `username` from the loopback address `source`, with the token and
    cookie of a fresh form, and any further `headers`."""
    port = urllib.parse.urlsplit(url).port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    connection.request("GET", "/login")
    form = connection.getresponse()
    token = form_fields(form.read().decode(), "", "")["csrf"]
    body = urllib.parse.urlencode({"username": username, "password": "wrong-password!", "csrf": token, "next": ""})
    cookie = form.getheader("Set-Cookie", "").split(";")[0]
    content = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    connection.request("POST", "/login", body=body, headers={**content, **headers})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def test_the_app_works_through_nginx(dashboard, database):
    url, process = dashboard
    assert nginx_children(process), "the dashboard is not behind its own nginx"
    opener = signed_in_opener(url, "admin")
    with opener.open(url) as page, opener.open(url + "wall/") as wall:
        assert page.status == wall.status == 200 and "gunicorn" in page.headers["Server"]
    body = envelope(create_app(database), "areas.data", {"lang-store.data": "zh"})
    request = urllib.request.Request(
        url + "_dash-update-component", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with opener.open(request) as answer:
        assert answer.status == 200 and "areas" in json.loads(answer.read())["response"]


def test_a_burst_of_sign_ins_is_refused_by_nginx_before_python(dashboard, database):
    url, _ = dashboard
    answers = [post_sign_in(url, "127.0.0.7", f"burst-{secrets.token_hex(4)}") for _ in range(BURST)]
    by_python = [a for a in answers if "gunicorn" in (a.getheader("Server") or "")]
    by_nginx = [a for a in answers if a not in by_python]
    assert PER_ADDRESS <= len(by_python) <= PER_ADDRESS + 1 and all(a.status == 401 for a in by_python)
    assert {(a.status, a.getheader("Server")) for a in by_nginx} == {(429, "nginx")}
    assert all(int(a.getheader("Retry-After")) >= 1 for a in by_nginx)
    with connect(database) as conn:  # only the attempts that reached Python were counted
        (failures,) = conn.execute(
            "SELECT failures FROM auth.login_throttle WHERE kind = 'address' AND address = '127.0.0.7'"
        ).fetchone()
    assert failures == len(by_python)


def test_a_client_cannot_name_its_own_address(dashboard, database):
    url, process = dashboard
    assert nginx_children(process), "the dashboard is not behind its own nginx"
    username, spoofed = f"spoof-{secrets.token_hex(4)}", "203.0.113.50"
    answer = post_sign_in(url, "127.0.0.8", username, **{"X-Forwarded-For": spoofed, "X-Real-IP": spoofed})
    assert answer.status == 401
    with connect(database) as conn:
        throttled = conn.execute(
            "SELECT kind, address FROM auth.login_throttle WHERE address <> '' AND (username = %s OR address = %s)",
            [username, spoofed],
        ).fetchall()
        audited = conn.execute(
            "SELECT detail ->> 'address' FROM audit.log WHERE action = 'login.failed' AND target = %s", [username]
        ).fetchall()
    assert throttled == [("pair", "127.0.0.8")]
    assert audited == [("127.0.0.8",)]
