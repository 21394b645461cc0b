"""The overview page in a real headless Chromium: zh-CN, counts equal to the database."""

import pytest

from geo.db.connection import connect
from geo.overview import LAYER_LABELS_ZH, level_counts
from tests.dashboard.conftest import SCREENSHOTS, serve, sign_in

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(demo_db):
    yield from serve(demo_db)


def test_overview_shows_the_database_counts_in_chinese(served, browser, demo_db):
    # Playwright evaluates its wait predicates with eval, which the page's CSP forbids; the
    # pages under their CSP are tested in test_xss.py.
    page = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    requests = []
    sign_in(page, served)
    page.on("request", lambda request: requests.append(request.url))
    page.goto(served + "overview")
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
