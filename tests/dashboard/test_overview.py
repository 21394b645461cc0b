"""The league table (/overview) and the administrator's data page (/data) in a real headless
Chromium: the figures equal the map's facts and the database, the sort and the links work, and
both pages speak the page's language."""

import datetime as dt
import json
import re

import pytest

from dashboard.context import default_end
from geo.auth.demo import demo_scopes
from geo.db.connection import connect
from geo.map import cases
from geo.map.filters import CaseFilter
from geo.overview import LAYER_LABELS, level_counts
from geo.shared.units import children_codes, find_unit
from tests.dashboard.conftest import open_path, screenshot, serve, sign_in

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

RED_GRIDS = """SELECT count(*) FROM case_fact_area_grid l JOIN admin_area a ON a.id = l.area_id
JOIN grid_current g ON g.id = l.grid_id AND g.is_basic
JOIN risk_score r ON r.code = g.code AND r.as_of = (SELECT max(as_of) FROM risk_score) AND r.level = 'red'
WHERE a.code = %s"""


@pytest.fixture(scope="module")
def served(scored_demo_db):
    yield from serve(scored_demo_db)


@pytest.fixture
def page(browser, served):
    # Playwright evaluates its wait predicates with eval, which the page's CSP forbids; the
    # pages under their CSP are tested in test_xss.py.
    page = browser.new_page(viewport={"width": 1600, "height": 900}, bypass_csp=True)
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    assert all(url.startswith(served) for url in page.requests), "the page loaded something from outside"
    page.close()


def table_rows(page) -> list[list[str]]:
    return [row.locator("td").all_inner_texts() for row in page.locator("#league-table tbody tr").all()]


def test_the_league_table_ranks_the_leaders_units_on_the_maps_figures(page, served, scored_demo_db):
    sign_in(page, served, "leader")
    page.goto(served + "overview")
    page.wait_for_selector("#league-table tbody tr", timeout=30_000)
    with connect(scored_demo_db) as conn:
        end = default_end(conn)
        county = find_unit(conn, demo_scopes(conn)["county"])  # the leader's jurisdiction
        month = CaseFilter(end - dt.timedelta(days=29), end)
        counts = cases.child_case_counts(conn, county, month, end)
        names = {code: find_unit(conn, code).name for code in children_codes(conn, county)}
        red = {code: conn.execute(RED_GRIDS, [code]).fetchone()[0] for code in names}
    rows = table_rows(page)
    by_name = {row[2]: row for row in rows}
    assert set(by_name) == set(names.values()) and len(rows) == len(names)
    for code, name in names.items():
        assert by_name[name][3] == f"{counts.get(code, {}).get('cases', 0):,}"  # cases, as on the map
        assert by_name[name][9] == f"{red[code]:,}"  # red grids in the latest scores
    assert sum(red.values()) > 0, "the scored demo city has red grids in the leader's county"
    shown = [int(row[3].replace(",", "")) for row in rows]
    assert shown == sorted(shown, reverse=True)
    screenshot(page, "overview-league")

    page.locator("#league-sort label:has-text('办结率')").click()  # re-ranked on another column
    page.wait_for_selector("#league-table th.sorted:has-text('办结率')", timeout=10_000)
    rates = [int(row[8].rstrip("%")) for row in table_rows(page) if row[8] != "–"]
    assert rates == sorted(rates, reverse=True)
    page.locator("#league-table th button:has-text('超期')").click()  # a column's header ranks too
    page.wait_for_selector("#league-table th.sorted:has-text('超期')", timeout=10_000)
    overdue = [int(row[7].replace(",", "")) for row in table_rows(page)]
    assert overdue == sorted(overdue, reverse=True)
    assert page.locator("#league-sort input:checked").get_attribute("value") == "overdue"

    first = table_rows(page)[0][2]
    page.locator("#league-table td.name a").first.click()  # opens the unit on the map
    page.wait_for_selector(f".breadcrumb .current:has-text('{first}')", timeout=30_000)


def test_an_english_sign_in_opens_english_pages_and_the_data_page_is_the_administrators(page, served, scored_demo_db):
    page.goto(served + "login?lang=en")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "admin-demo-2026")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "lang=en" in page.url
    page.wait_for_selector("#kpi-cases", timeout=30_000)
    assert page.locator("nav.top-nav").inner_text().startswith("Map")
    page.locator("nav.top-nav a:has-text('Data')").click()  # the header keeps the language
    page.wait_for_selector("#hierarchy tr", timeout=30_000)
    with connect(scored_demo_db) as conn:
        expected = dict(level_counts(conn))
    shown = {}
    for table in ("#hierarchy", "#layers"):
        for row in page.locator(f"{table} tr").all():
            shown[row.locator("th").inner_text()] = int(row.locator("td").inner_text().replace(",", ""))
    assert shown == {LAYER_LABELS[layer][1]: count for layer, count in expected.items()}
    page.locator("nav.top-nav a:has-text('League table')").click()
    page.wait_for_selector("#league-table th:has-text('Close rate')", timeout=30_000)


# Texts that come from the data (names, addresses, case texts, people): they stay as written,
# in any language of the interface.
DATA_TEXTS = """
SELECT name FROM admin_area UNION ALL SELECT name FROM grid UNION ALL SELECT standard_address FROM building
UNION ALL SELECT name FROM camera UNION ALL SELECT summary FROM cases UNION ALL SELECT address_text FROM cases
UNION ALL SELECT name FROM centre
UNION ALL SELECT address FROM centre UNION ALL SELECT name FROM key_place UNION ALL SELECT address FROM key_place
UNION ALL SELECT name FROM grid_staff UNION ALL SELECT display_name FROM auth.app_user
"""
ENGLISH_DEFAULTS = re.compile(r"Search|Select All|Deselect All|filter data|Select Date|Loading|No results|Clear all")
CHINESE = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]+")
OWN_NAMES = {"中文"}  # the language switch names Chinese in Chinese
# Everything a page shows or says: its text, placeholders, tooltips and labels.
PAGE_WORDS = """() => [document.body.innerText,
  ...[...document.querySelectorAll('[placeholder],[title],[aria-label],img[alt]')].flatMap(
    e => ['placeholder', 'title', 'aria-label', 'alt'].map(a => e.getAttribute(a) || ''))].join('\\n')"""


SWITCHED = "lang => (document.body.innerText.indexOf('Safety Map') >= 0) === (lang === 'en')"


def _leftovers(words: str, lang: str, data: str) -> set[str]:
    """The components' English defaults in a Chinese page; the Chinese that is not the data's
    in an English one."""
    if lang == "zh":
        return set(ENGLISH_DEFAULTS.findall(words))
    return {run for run in CHINESE.findall(words) if run not in OWN_NAMES and run not in data}


def pages_of(conn) -> dict[str, list[str]]:
    """Every page, opened by a user who may see it, at a level that shows its tables."""
    scopes = demo_scopes(conn)
    community = find_unit(conn, scopes["grid"]).parent_code
    return {
        "admin": [
            f"/?u={scopes['grid']}&layers=cases",
            "/overview",
            f"/boundaries?c={community}",
            "/wall/?tour=0",
        ],
        "dispatcher": ["/cases"],
        "gridworker": ["/m"],
        "officer": [f"/?u={scopes['grid']}"],
    }


def test_every_page_speaks_the_pages_language_only(browser, served, scored_demo_db):
    """In Chinese no English default of a component ("Search", "Select All"...); in English no
    Chinese but for what comes from the data."""
    with connect(scored_demo_db) as conn:
        data = "\n".join(text for (text,) in conn.execute(DATA_TEXTS) if text)
        walk = pages_of(conn)
    leftovers = {}
    for username, paths in walk.items():
        page = browser.new_page(viewport={"width": 1600, "height": 900}, bypass_csp=True)
        sign_in(page, served, username)
        page.goto(served)
        for path, lang in ((path, lang) for path in paths for lang in ("zh", "en")):
            address = path + ("&" if "?" in path else "?") + f"lang={lang}"
            open_path(page, served, address)
            page.wait_for_timeout(300)
            if path.startswith("/wall"):  # never quiet: it asks for its change stamp every 250 ms
                page.wait_for_selector(".wall-kpis .tile", timeout=30_000)
                page.wait_for_timeout(1500)
            else:
                page.wait_for_load_state("networkidle")
            page.wait_for_function("() => !document.querySelector('[data-dash-is-loading]')")
            page.wait_for_timeout(300)
            # The page did switch (its header's title is translated by a callback of its own).
            page.wait_for_function(SWITCHED, arg=lang, timeout=15_000)
            found = _leftovers(page.evaluate(PAGE_WORDS), lang, data)
            if found:  # a part still drawing in the language before: what stays once it is drawn
                page.wait_for_timeout(2000)
                found = _leftovers(page.evaluate(PAGE_WORDS), lang, data)
            if found:
                leftovers[f"{username} {path} {lang}"] = sorted(found)
        page.close()
    assert leftovers == {}, json.dumps(leftovers, ensure_ascii=False, indent=1)
