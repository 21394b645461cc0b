"""`python -m dashboard` (what `make demo` runs) serves with gunicorn workers and compresses."""

import http.cookiejar
import subprocess
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.browser import serving
from dashboard.login_page import form_fields
from geo.auth.demo import DEMO_PASSWORDS

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.fixture
def dashboard(demo_db):
    with serving(demo_db, DASH_WORKERS="2") as running:
        yield running


def signed_in_opener(url: str, username: str = "admin") -> urllib.request.OpenerDirector:
    """An opener that has signed in through the login form and sends its session cookie."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url.rstrip("/") + "/login") as response:
        form = form_fields(response.read().decode(), username, DEMO_PASSWORDS[username], "/")
    with opener.open(url.rstrip("/") + "/login", urllib.parse.urlencode(form).encode()) as response:
        assert response.status == 200 and response.url == url, f"{username} could not sign in"
    return opener


def test_the_dashboard_runs_on_gunicorn_with_several_workers_and_gzip(dashboard):
    url, process = dashboard
    opener = signed_in_opener(url)
    with opener.open(url) as response:
        assert response.status == 200 and "gunicorn" in response.headers["Server"]
        assert response.url == url  # the page itself, not the login form
        page = response.read().decode()
    bundle = next(part.split('"')[0] for part in page.split('src="')[1:] if "dash_renderer" in part)
    request = urllib.request.Request(url.rstrip("/") + bundle, headers={"Accept-Encoding": "gzip"})
    with opener.open(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
    # Every worker serves the bundles from the start, not only the one that served the page.
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: opener.open(url.rstrip("/") + bundle).status, range(16)))
    assert statuses == [200] * 16
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    commands = {pid: Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in children}
    workers = [pid for pid in children if Path(f"/proc/{pid}/comm").read_text().strip() != "nginx"
               and "geo scheduler" not in commands[pid]]  # fmt: skip
    assert len(workers) == 2
    assert sum("geo scheduler" in command for command in commands.values()) == 1  # the scheduler beside it
