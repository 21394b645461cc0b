"""The safety map in a real headless Chromium: drill from the city to a building by clicking,
breadcrumb and URL, back button, layers, a filter, English, shared and hostile links; no
request leaves the server and the console stays clean."""

import datetime as dt
import re

import pytest

from bench.browser import settle
from geo.db.connection import connect
from geo.map import cases
from geo.map.filters import CaseFilter
from geo.shared.units import children_codes, children_geojson, find_unit, root_unit
from tests.dashboard.conftest import screenshot, serve, sign_in

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 11, 24)
MONTH = CaseFilter(AS_OF - dt.timedelta(days=29), AS_OF)
LABEL = ".leaflet-tooltip.area-label"


@pytest.fixture(scope="module")
def served(scored_demo_db):
    yield from serve(scored_demo_db)


@pytest.fixture(scope="module")
def conn(scored_demo_db):
    with connect(scored_demo_db, autocommit=True) as connection:
        yield connection


@pytest.fixture
def page(browser, served):
    """A 1920×1080 page recording every request and every console error or warning."""
    # Playwright evaluates its wait predicates with eval, which the page's CSP forbids; the
    # pages under their CSP are tested in test_xss.py.
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    page.requests, page.problems = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda m: page.problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    sign_in(page, served)
    yield page
    assert all(url.startswith(served) for url in page.requests), "a request left the server"
    assert page.problems == []
    page.close()


def unit_in_url(page) -> str | None:
    match = re.search(r"[?&]u=([^&]+)", page.evaluate("location.search"))
    return match.group(1) if match else None


def busiest_child(conn, unit):
    counts = cases.child_case_counts(conn, unit, MONTH, AS_OF)
    return find_unit(conn, max(children_codes(conn, unit), key=lambda c: counts.get(c, {}).get("cases", 0)))


def click_label(page, name: str) -> None:
    label = page.locator(LABEL).filter(has_text=re.compile(f"^{re.escape(name)}$")).first
    # Labels are redrawn when the style table arrives: ask again until one stays put.
    for _ in range(40):
        box = label.bounding_box()
        if box:
            break
        page.wait_for_timeout(250)
    assert box, f"no label {name!r} among {page.locator(LABEL).all_inner_texts()}"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    settle(page)


def test_the_city_view_shows_counties_figures_and_a_legend(page, served, conn):
    page.goto(served)
    settle(page)
    city = root_unit(conn)
    counties = {find_unit(conn, code).name for code in children_codes(conn, city)}
    assert page.title() == "平安地图"
    assert page.locator(".breadcrumb").inner_text().strip() == city.name
    assert set(page.locator(LABEL).all_inner_texts()) == counties
    figures = cases.key_figures(conn, city, MONTH, AS_OF)
    assert page.locator("#kpi-cases .kpi-value").inner_text() == f"{figures['cases']:,}"
    assert "风险等级" in page.locator("#legend").inner_text()
    assert page.locator("#top-grids li").count() == 10
    screenshot(page, "map-city")


def test_drilling_from_the_city_to_a_building_and_back(page, served, conn):
    page.goto(served)
    settle(page)
    unit, names = root_unit(conn), [root_unit(conn).name]
    for kind in ("county", "township", "community", "grid", "micro_grid", "building"):
        child = busiest_child(conn, unit)
        assert child.kind == kind
        shapes = children_geojson(conn, unit)["features"]
        click_label(page, next(f["properties"]["name"] for f in shapes if f["properties"]["code"] == child.code))
        assert unit_in_url(page) == child.code
        crumbs = page.locator(".breadcrumb").inner_text()
        assert [part.strip() for part in crumbs.split("›")][-1].endswith(child.name)
        assert crumbs.count("›") == len(names)
        names.append(child.name)
        if kind == "grid":
            assert page.locator("#risk-explanation .why").inner_text()
            screenshot(page, "map-grid")
        unit = child
    assert page.locator("#building-facts").is_visible()
    assert page.locator("#key-person-counts").is_visible()
    assert "楼栋不显示重点人群人数" in page.locator("#key-person-counts").inner_text(), "no counts per building"
    screenshot(page, "map-building")
    page.go_back()
    settle(page)
    assert unit_in_url(page) == unit.parent_code
    page.locator(".breadcrumb a").first.click()
    settle(page)
    assert unit_in_url(page) == root_unit(conn).code
    assert page.locator(LABEL).count() == len(children_codes(conn, root_unit(conn)))


def test_layers_and_a_filter_change_the_map_and_the_url(page, served, conn):
    grid = find_unit(
        conn,
        conn.execute(
            """SELECT r.code FROM risk_score r WHERE r.kind = 'grid' ORDER BY r.score DESC, r.code LIMIT 1"""
        ).fetchone()[0],
    )
    page.goto(f"{served}?u={grid.code}")
    settle(page)
    page.get_by_label("事件热力").check()
    page.get_by_label("事件点位（网格及以下）").check()
    settle(page)
    assert "layers=heat%2Ccases" in page.evaluate("location.search") or "layers=heat,cases" in page.evaluate(
        "location.search"
    )
    assert "heat.png" in page.locator("img.leaflet-image-layer").get_attribute("src")
    expected_points = len(cases.case_points(conn, grid, MONTH, AS_OF)["features"])
    assert page.locator(".leaflet-points-pane path").count() == expected_points > 0
    screenshot(page, "map-grid-layers")
    category = conn.execute(
        """SELECT c.category_code FROM cases c JOIN case_assignment a ON a.case_id = c.id
           JOIN grid_current g ON g.id = a.grid_id WHERE g.code = %s GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""",
        [grid.code],
    ).fetchone()[0]
    name = conn.execute("SELECT name_zh FROM case_category WHERE code = %s", [category]).fetchone()[0]
    page.locator("#f-cat").click()
    page.get_by_role("option", name=name).click()
    page.keyboard.press("Escape")
    settle(page)
    assert f"cat={category}" in page.evaluate("location.search")
    narrowed = CaseFilter(MONTH.start, MONTH.end, categories=(category,))
    figures = cases.key_figures(conn, grid, narrowed, AS_OF)
    assert page.locator("#kpi-cases .kpi-value").inner_text() == f"{figures['cases']:,}"
    assert page.locator(".leaflet-points-pane path").count() == len(
        cases.case_points(conn, grid, narrowed, AS_OF)["features"]
    )
    # The breadcrumb's links up keep the filter and the layers chosen after the drill step.
    community_link = page.locator(".breadcrumb a").last
    assert f"cat={category}" in community_link.get_attribute("href")
    community_link.click()
    settle(page)
    assert f"cat={category}" in page.evaluate("location.search") and "heat" in page.evaluate("location.search")


def test_english_switch_and_a_shared_link_restore_the_state(page, served, conn):
    county = busiest_child(conn, root_unit(conn))
    page.goto(f"{served}?u={county.code}&m=cases&layers=centres&lang=en")
    settle(page)
    assert page.locator("#f-metric input[value=cases]").is_checked()
    assert page.locator("#f-layers input[value=centres]").is_checked()
    assert "Cases" in page.locator("#legend").inner_text()
    assert page.locator("#kpi-open .kpi-label").inner_text() == "Open"
    assert page.locator(".leaflet-points-pane path").count() > 0
    screenshot(page, "map-county-english")
    page.get_by_label("中文").check()
    settle(page)
    assert "lang=" not in page.evaluate("location.search")
    assert page.locator("#kpi-open .kpi-label").inner_text() == "未办结"


def test_a_hostile_link_falls_back_to_the_city_and_says_what_it_ignored(page, served, conn):
    page.goto(f"{served}?u=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&from=never&cat=x%27%3B--&m=evil&layers=foo")
    settle(page)
    assert page.locator(".breadcrumb").inner_text().strip() == root_unit(conn).name
    assert "不存在或不在您的辖区内" in page.locator("#unit-message").inner_text()
    assert "已忽略" in page.locator("#filter-message").inner_text()
    assert page.locator("#f-metric input[value=risk]").is_checked()


def test_the_filters_own_words_are_in_the_pages_language():
    """dcc.Dropdown draws 'Search', 'Select All' … itself: the filters open in Chinese."""
    from dash import dcc

    from dashboard.components.controls import filter_bar

    def dropdowns(component):
        if isinstance(component, dcc.Dropdown):
            yield component
        children = getattr(component, "children", None) or []
        for child in children if isinstance(children, list) else [children]:
            yield from dropdowns(child)

    found = {d.id: d.labels for d in dropdowns(filter_bar())}
    assert set(found) == {"f-cat", "f-src", "f-st"}
    assert all(labels["search"] == "搜索" and labels["select_all"] == "全选" for labels in found.values())


# Every ticker row that is in view lies whole inside the ticker (a row that does not fit wraps
# out of sight); at least one is in view.
TICKER_ROWS_WHOLE = """() => {
  const box = document.querySelector('#wall-ticker ul').getBoundingClientRect();
  const shown = [...document.querySelectorAll('#wall-ticker li')]
    .map(li => li.getBoundingClientRect()).filter(r => r.left < box.right);
  return shown.length > 0 && shown.every(r => r.bottom <= box.bottom + 1);
}"""


# The wall draws on a canvas: pixels of exactly one colour (a stroke, drawn opaque) on it.
CANVAS_PIXELS = """([r, g, b]) => [...document.querySelectorAll('#wall-map canvas')].reduce((n, canvas) => {
  const copy = document.createElement('canvas');  // read from a copy: the map's canvas is not for reading
  [copy.width, copy.height] = [canvas.width, canvas.height];
  const context = copy.getContext('2d', {willReadFrequently: true});
  context.drawImage(canvas, 0, 0);
  const data = context.getImageData(0, 0, copy.width, copy.height).data;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) n++;
  }
  return n;
}, 0)"""
FOCUS_YELLOW, OVERDUE_RED = (255, 213, 79), (255, 82, 82)  # assets/wall.js


def test_the_wall_tour_frames_the_red_grid_and_marks_the_overdue_cases(page, served, conn):
    highest = conn.execute(
        "SELECT g.name, r.relative_risk FROM risk_score r JOIN grid_current g ON g.code = r.code "
        "WHERE r.kind = 'grid' AND r.level = 'red' ORDER BY r.relative_risk DESC, r.code LIMIT 1"
    ).fetchone()
    page.goto(served + "wall/?tour=5")  # a step every 5 s: time to fly there and draw
    page.wait_for_selector(".caption .headline", timeout=30_000)
    # One snapshot only: no grid has been seen to rise, so the wall does not say "turned red".
    assert page.locator(".caption .headline").inner_text() == f"风险最高的红色网格：{highest[0]}"
    assert f"{highest[1]:.1f} 倍" in page.locator(".caption .figures").inner_text()
    # The grid ringed in yellow (its community around it, the rest dimmed: see the screenshot).
    page.wait_for_function(f"({CANVAS_PIXELS})({list(FOCUS_YELLOW)}) > 200", timeout=10_000)
    assert page.evaluate(TICKER_ROWS_WHOLE)
    screenshot(page, "wall-tour-red")
    page.wait_for_selector(".caption b:has-text('超期最久')", timeout=30_000)
    page.wait_for_function(f"({CANVAS_PIXELS})({list(OVERDUE_RED)}) > 200", timeout=10_000)
    assert page.evaluate(f"({CANVAS_PIXELS})({list(FOCUS_YELLOW)})") == 0  # the red step's ring is gone
    screenshot(page, "wall-tour-overdue")


# The communities of a township (its own) and of every other township, with their grids' names.
COMMUNITIES = """SELECT t.code = %(home)s, a.code, a.name, array_agg(g.name) FROM admin_area a
JOIN admin_area t ON t.id = a.parent_id LEFT JOIN grid_current g ON g.community_id = a.id
WHERE a.level = 4 GROUP BY 1, 2, 3 ORDER BY 2"""
CASE_IN = """SELECT c.code, b.code FROM cases c JOIN case_assignment a ON a.case_id = c.id
JOIN building b ON b.id = a.building_id JOIN grid_current g ON g.id = a.grid_id
JOIN admin_area m ON m.id = g.community_id WHERE m.code = %s ORDER BY c.id LIMIT 1"""


def test_the_search_box_finds_names_addresses_and_cases_within_the_jurisdiction(browser, served, conn):
    township = conn.execute("SELECT scope_code FROM auth.app_user WHERE username = 'township'").fetchone()[0]
    rows = conn.execute(COMMUNITIES, {"home": township}).fetchall()
    mine = [(code, name) for own, code, name, _grids in rows if own]
    my_names = [name for own, _code, name, grids in rows if own for name in [name, *grids] if name]
    elsewhere = next(name for own, _c, name, _g in rows if not own and not any(name in n for n in my_names))
    home_code, home_name = mine[0]
    case_code, building = conn.execute(CASE_IN, [home_code]).fetchone()
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
    sign_in(page, served, "township")
    page.goto(served)
    settle(page)
    # A community's whole name: its grids come too (their names contain it), each a link.
    page.fill("#map-search", home_name)
    page.keyboard.press("Enter")
    page.wait_for_selector(".search-results li", timeout=10_000)
    assert home_name in page.locator(".search-results li").first.inner_text()
    page.keyboard.press("Tab")  # from the box to the first result, and Enter opens it
    page.keyboard.press("Enter")
    page.wait_for_function(f"location.search.includes('u={home_code}')", timeout=10_000)
    settle(page)
    assert page.locator(".search-results li").count() == 0  # the list closed
    # A case number opens its building at once.
    page.fill("#map-search", case_code)
    page.keyboard.press("Enter")
    page.wait_for_function(f"location.search.includes('u={building}')", timeout=10_000)
    # Another township's community is not found, as if it did not exist.
    page.fill("#map-search", elsewhere)
    page.keyboard.press("Enter")
    page.wait_for_selector(".search-none", timeout=10_000)
    page.close()


def click_middle(page, bar) -> None:
    """A click where a person would click: plotly takes clicks on its drag layer, over the bar."""
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_clicks_on_figures_and_charts_filter_the_map_and_chips_undo_them(page, served, conn):
    city = root_unit(conn)
    page.goto(served)
    settle(page)
    page.click("#kpi-overdue")  # the overdue figure: the map and panel show overdue cases only
    settle(page)
    assert "st=overdue" in page.evaluate("location.search")
    overdue = cases.key_figures(conn, city, CaseFilter(MONTH.start, MONTH.end, states=("overdue",)), AS_OF)
    assert page.locator("#kpi-cases .kpi-value").inner_text() == f"{overdue['cases']:,}"
    top = cases.category_mix(conn, city, CaseFilter(MONTH.start, MONTH.end, states=("overdue",)), AS_OF)
    top_category = top.sort_values(["cases", "category"], ascending=[False, True]).iloc[0]["category"]
    click_middle(page, page.locator("#category-chart .point path").last)  # the longest bar, drawn at the top
    settle(page)
    assert f"cat={top_category}" in page.evaluate("location.search")
    chips = page.locator("#active-filters .chip:visible")
    assert chips.count() == 3  # categories, states, and "clear all"
    page.click("#chip-st")  # one click removes a filter
    settle(page)
    assert "st=" not in page.evaluate("location.search") and f"cat={top_category}" in page.evaluate("location.search")
    bars = page.locator("#trend-chart .point path")
    click_middle(page, bars.nth(bars.count() // 2))  # a day of the trend: the range becomes that day
    settle(page)
    day = re.search(r"from=([0-9-]+)&to=([0-9-]+)", page.evaluate("location.search"))
    assert day and day.group(1) == day.group(2)
    page.click("#chip-all")
    settle(page)
    assert page.evaluate("location.search") in ("", "?")
    assert page.locator("#active-filters .chip:visible").count() == 0


def test_the_time_control_steps_and_plays_week_by_week(page, served, conn):
    city = root_unit(conn)
    newest = conn.execute("SELECT max(reported_at AT TIME ZONE 'Asia/Shanghai')::date FROM cases").fetchone()[0]
    page.goto(served + "?m=cases")
    settle(page)
    page.click("#time-prev")  # the week before the newest
    settle(page)
    start, end = newest - dt.timedelta(days=13), newest - dt.timedelta(days=7)
    assert f"from={start}&to={end}" in page.evaluate("location.search")
    week = cases.key_figures(conn, city, CaseFilter(start, end), AS_OF)
    assert page.locator("#kpi-cases .kpi-value").inner_text() == f"{week['cases']:,}"  # the panel shows that week
    page.click("#time-next")
    settle(page)
    assert f"from={newest - dt.timedelta(days=6)}&to={newest}" in page.evaluate("location.search")
    page.click("#time-play")  # from the oldest of the 52 weeks, a week every 2 s
    page.wait_for_function("document.querySelector('#time-play').textContent === '⏸'")
    page.wait_for_function(f"location.search.includes('to={newest - dt.timedelta(days=7 * 51)}')", timeout=15_000)
    page.click("#time-play")  # paused: the week stays
    page.wait_for_function("document.querySelector('#time-play').textContent === '▶'")
