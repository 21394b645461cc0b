"""The overview page in a real headless Chromium: zh-CN, counts equal to the database."""

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from dashboard.app import create_app
from geo.db.connection import connect
from geo.overview import LAYER_LABELS_ZH, level_counts
from geo.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "screenshots"


@pytest.fixture(scope="module")
def served(demo_db):
    server = make_server("127.0.0.1", 0, create_app(demo_db).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is required (make test installs it)"
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    args += ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield instance
        instance.close()


def test_overview_shows_the_database_counts_in_chinese(served, browser, demo_db):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served)
    page.wait_for_selector("#hierarchy tr")
    with connect(demo_db) as conn:
        expected = dict(level_counts(conn))
    shown = {}
    for table in ("#hierarchy", "#layers"):
        for row in page.locator(f"{table} tr").all():
            shown[row.locator("th").inner_text()] = int(row.locator("td").inner_text().replace(",", ""))
    assert page.title() == "平安地图"
    assert shown == {LAYER_LABELS_ZH[layer]: count for layer, count in expected.items()}
    assert all(url.startswith(served) for url in requests), "page loaded something from outside the server"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    page.close()
