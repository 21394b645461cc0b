"""A real headless Chromium (Debian's package) and the app served in a thread."""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.measure import CHROMIUM, chromium
from geo.settings import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "screenshots"


def serve(url: str):
    """Serve the app on database `url` on a free port; yields its base URL."""
    server = make_server("127.0.0.1", 0, create_app(url).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is required (make test installs it)"
    with chromium() as instance:
        yield instance


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
