"""`python -m dashboard` serves through its own nginx (dashboard/proxy.py): the app works
through it, a burst of sign-in attempts from one address is refused by nginx before Python,
an X-Forwarded-For sent by the client does not change the address the sign-in throttle and
the audit log record (behind a further trusted proxy, the address that proxy forwarded), and
the dashboard does not outlive its nginx."""

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from socketserver import ThreadingMixIn, UnixStreamServer
from types import SimpleNamespace

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from bench.browser import serving
from dashboard import proxy
from dashboard.app import create_app
from dashboard.login_page import form_fields
from geo.db.connection import connect
from geo.settings import PROJECT_ROOT
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


STANDING_IN = """
import signal, sys, time
from types import SimpleNamespace
from dashboard import proxy
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # as gunicorn's arbiter stops
settings = SimpleNamespace(dash_host="127.0.0.1", dash_port=int(sys.argv[1]), trusted_proxies=0,
                           proxy_login_rate_per_address="30 per minute", proxy_login_rate_total="300 per minute")
with proxy.running(settings, proxy.nginx_binary()) as socket_path:
    print(socket_path.parent, flush=True)
    time.sleep(60)
"""


def test_the_dashboard_stops_when_its_nginx_does(tmp_path):
    """nginx gone, the process that started it (gunicorn's arbiter in `python -m dashboard`,
    stood in for here) stops too instead of serving where no one can reach it, and leaves no
    run directory and no orphaned nginx worker behind."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", STANDING_IN, str(port)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE)
    run_dir = Path(process.stdout.readline().decode().strip())
    (master,) = nginx_children(process)
    assert run_dir.is_dir()
    os.kill(master, signal.SIGKILL)
    assert process.wait(timeout=20) == 0 and not run_dir.exists()
    with pytest.raises(ProcessLookupError):  # nor any of its workers
        os.killpg(master, 0)


class Echo(BaseHTTPRequestHandler):
    """Stands in for gunicorn: answers with the forwarding headers it was given."""

    protocol_version = "HTTP/1.1"

    def address_string(self) -> str:
        return "unix"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({name: self.headers.get(name) for name in ("X-Forwarded-For", "X-Real-IP")}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class UnixServer(ThreadingMixIn, UnixStreamServer):
    daemon_threads = True


def test_behind_a_further_proxy_nginx_counts_the_address_that_proxy_forwarded():
    """With SAFETY_MAP_TRUSTED_PROXIES=1 nginx keys its limits on the address the proxy in
    front appended, and passes the chain on for ProxyFix (x_for=2) to take the same one."""
    settings = SimpleNamespace(
        dash_host="127.0.0.1",
        dash_port=free_port(),
        trusted_proxies=1,
        proxy_login_rate_per_address="2 per minute",
        proxy_login_rate_total="300 per minute",
    )
    with proxy.running(settings, proxy.nginx_binary()) as socket_path:
        upstream = UnixServer(str(socket_path), Echo)
        socket_path.chmod(0o777)  # as gunicorn makes it (umask 0), for nginx's workers
        threading.Thread(target=upstream.serve_forever, daemon=True).start()
        try:
            answers = {client: [] for client in ("203.0.113.1", "203.0.113.2")}
            for client, seen in [*answers.items()] * 4:
                chain = f"198.51.100.66, {client}"  # the client's own claim, then the proxy's entry
                seen.append(post(settings.dash_port, {"X-Forwarded-For": chain}))
        finally:
            upstream.shutdown()
            upstream.server_close()
    for client, seen in answers.items():
        assert [status for status, _ in seen] == [200] * 3 + [429]  # one, then a burst of 2
        chain = seen[0][1]["X-Forwarded-For"]
        assert chain == f"198.51.100.66, {client}, 127.0.0.1" and seen[0][1]["X-Real-IP"] == client
        assert (
            ProxyFix(lambda environ, _: environ["REMOTE_ADDR"], x_for=2)(
                {"HTTP_X_FORWARDED_FOR": chain, "REMOTE_ADDR": ""}, None
            )
            == client
        )


def post(port: int, headers: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/login", body="x=1", headers=headers)
    answer = connection.getresponse()
    body = answer.read()
    connection.close()
    return answer.status, json.loads(body) if answer.status == 200 else {}
