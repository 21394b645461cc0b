"""`python -m dashboard` (what `make demo` runs) serves with gunicorn workers and compresses."""

import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.measure import serving


@pytest.fixture
def dashboard(demo_db):
    with serving(demo_db, DASH_WORKERS="2") as running:
        yield running


def test_the_dashboard_runs_on_gunicorn_with_several_workers_and_gzip(dashboard):
    url, process = dashboard
    with urllib.request.urlopen(url) as response:
        assert response.status == 200 and "gunicorn" in response.headers["Server"]
        page = response.read().decode()
    bundle = next(part.split('"')[0] for part in page.split('src="')[1:] if "dash_renderer" in part)
    request = urllib.request.Request(url.rstrip("/") + bundle, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
    # Every worker serves the bundles from the start, not only the one that served the page.
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: urllib.request.urlopen(url.rstrip("/") + bundle).status, range(16)))
    assert statuses == [200] * 16
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2
