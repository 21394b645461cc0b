"""The live wall screen in a real headless Chromium, on a private copy of the small demo city
reached through a relay that can cut the database away: new cases appear without a reload,
an outage is announced and greys the screen, and the wall recovers by itself."""

import os
import subprocess
import sys
import time

import pytest

from bench.outage import relayed
from geo.db.connection import connect
from geo.settings import PROJECT_ROOT
from tests.dashboard.conftest import screenshot, serve, sign_in

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

RECOVERY_S = 10


@pytest.fixture(scope="module")
def relay(city_db_module):
    with relayed(city_db_module) as (relay, url):
        relay.url = url
        yield relay


@pytest.fixture(scope="module")
def city_db_module(city_template, server_url):
    """A private copy of the small demo city for this module (the wall writes cases)."""
    from tests.conftest import copy_database

    yield from copy_database(city_template, server_url)


@pytest.fixture(scope="module")
def served(relay):
    yield from serve(relay.url)


@pytest.fixture
def page(browser, served):
    # Playwright evaluates its wait predicates with eval, which the page's CSP forbids; the
    # pages under their CSP are tested in test_xss.py.
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    page.requests, page.problems = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    sign_in(page, served)
    yield page
    assert all(url.startswith(served) for url in page.requests), "a request left the server"
    assert page.problems == []
    page.close()


def simulate(url: str, count: int) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")}
    env["DATABASE_URL"] = url
    command = [sys.executable, "-m", "data.demo", "simulate", "--rate", "5/s", "--count", str(count), "--seed", "9"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with connect(url) as conn:
        return [s for (s,) in conn.execute("SELECT summary FROM cases WHERE code LIKE 'SIM%' ORDER BY id")]


def wait_for(page, script: str, timeout_s: float) -> float:
    """Seconds until `script` is true in the page (fails after timeout_s)."""
    started = time.monotonic()
    page.wait_for_function(script, timeout=timeout_s * 1000, polling=100)
    return time.monotonic() - started


def test_new_cases_appear_live_and_an_outage_is_announced_then_recovered(page, served, relay, city_db_module):
    # A look of its own only once a minute: what comes in, goes and returns here is pushed
    # (the database's notice, geo/live/changes.py).
    page.goto(served + "wall/?tour=0&poll=60000")
    wait_for(page, "document.querySelectorAll('.wall-kpis .tile').length === 6", 30)
    wait_for(page, "(document.querySelector('#wall-age')?.textContent || '').includes('数据更新于')", 15)
    assert page.title() == "平安地图 · 指挥大屏"
    layout_requests = sum("_dash-layout" in url for url in page.requests)

    summaries = simulate(city_db_module, 3)
    wait_for(page, "document.querySelectorAll('.live-new').length >= 3", 10)
    ticker = page.locator("#wall-ticker").inner_text()
    assert all(summary in ticker for summary in summaries)
    assert page.locator("#wall-ticker li.new").count() >= 3
    # Live, not reloaded: the layout was fetched once.
    assert sum("_dash-layout" in url for url in page.requests) == layout_requests
    screenshot(page, "wall-live")

    relay.cut()
    wait_for(page, "(document.querySelector('#wall-banner')?.textContent || '').includes('数据中断')", 10)
    assert "stale" in page.locator("#wall-root").get_attribute("class")
    assert "最后更新" in page.locator("#wall-banner").inner_text()
    screenshot(page, "wall-outage")

    relay.restore()
    wait_for(page, "(document.querySelector('#wall-banner')?.textContent || '') === ''", RECOVERY_S)
    assert page.locator("#wall-root").get_attribute("class") == "wall"


def test_hostile_wall_links_fall_back_to_the_defaults(page, served, city_db_module):
    page.goto(served + "wall/?scope=%3Cscript%3Ealert(1)%3C/script%3E&tour=abc&poll=-5&lang=xx")
    wait_for(page, "(document.querySelector('#wall-scope')?.textContent || '').includes('不在您的辖区内')", 30)
    with connect(city_db_module) as conn:
        city = conn.execute("SELECT name FROM admin_area WHERE parent_id IS NULL").fetchone()[0]
    assert page.locator("#wall-scope").inner_text().startswith(city)  # the scope watched keeps its name
    assert page.locator("#wall-title").inner_text() == "平安地图 · 指挥大屏"
    assert page.locator("script:has-text('alert(1)')").count() == 0
