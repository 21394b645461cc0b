"""`python -m dashboard` (what `make demo` runs) serves with gunicorn workers and compresses."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from geo.settings import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dashboard(demo_db):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")}
    env.update(DATABASE_URL=demo_db, SAFETY_MAP_DASH_PORT=str(port), SAFETY_MAP_DASH_WORKERS="2")
    process = subprocess.Popen(
        [sys.executable, "-m", "dashboard"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.5)
        yield url, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


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
