"""Texts from the data cannot run in the page: every payload of tests/fixtures/xss_corpus.txt
is written into a private copy of the small demo city (case summaries and addresses, area,
grid and staff names, building names and addresses, key places), then the safety map (city,
a grid with its case and place layers, a micro-grid, a building), the wall screen and the
boundary editor are opened in headless Chromium. No payload may run (each would call
window.__xss(N) or alert(N)), and each must be shown as the very text it is, so that showing
nothing cannot pass. Run twice: under the app's Content-Security-Policy (which must not
block anything the pages need: no violation at all) and with the browser ignoring it (the
escaping alone must hold)."""

import collections
import re

import pytest

from bench.browser import MAP_AT_REST, settle
from geo.auth.users import save_user
from geo.db.connection import connect
from geo.settings import PROJECT_ROOT
from tests.dashboard.conftest import screenshot, serve

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

CORPUS = PROJECT_ROOT / "tests" / "fixtures" / "xss_corpus.txt"
PAYLOADS = [line for line in CORPUS.read_text(encoding="utf-8").split("\n") if line]
WAIT_MS = 30_000
USER, PASSWORD = "xss-admin", "a long test password 7"
TRIED: collections.Counter = collections.Counter()  # place → payloads checked there

WATCH = """
window.__xss = function (n) { window.__xssReport(String(n)); };
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspReport(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


def open_page(context, base: str, path: str, ready):
    """A page of `context` at `path`, ready to be read: every payload that runs, dialog,
    CSP violation, console error and page error is recorded on it. `ready(page)` waits for
    the page's content. (A sign-in, once the app needs one, goes here.)"""
    page = context.new_page()
    page.xss, page.violations, page.problems = [], [], []
    page.expose_function("__xssReport", lambda n: page.xss.append(n))
    page.expose_function("__cspReport", lambda v: page.violations.append(v))
    page.add_init_script(WATCH)
    page.on("dialog", lambda dialog: (page.xss.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: page.problems.append(str(error)))

    def console(message):
        if message.type == "error" or "Content Security Policy" in message.text:
            page.problems.append(message.text)

    page.on("console", console)
    page.goto(base.rstrip("/") + path)
    if "/login" in page.url:  # signed in once per browser context: the cookie stays
        page.fill("input[name=username]", USER)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT_MS)
    ready(page)
    return page


def map_ready(page) -> None:
    settle(page)


def wall_ready(page) -> None:
    page.wait_for_function("() => document.querySelectorAll('.wall-kpis .tile').length === 6", timeout=WAIT_MS)
    page.wait_for_function("() => document.querySelectorAll('#wall-ticker li .summary').length > 0", timeout=WAIT_MS)
    page.wait_for_selector("#wall-map .leaflet-tooltip.area-label", timeout=WAIT_MS)
    page.wait_for_timeout(1000)  # never network-quiet: it asks for its change stamp every 250 ms


def editor_ready(page) -> None:
    page.wait_for_selector(".bnd-label", timeout=WAIT_MS)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)


def norm(value: str) -> str:
    return " ".join(value.split())


SHOWN = {norm(p) for p in PAYLOADS}


def check_texts(page, place: str, texts: list[str], prefix: str = "") -> None:
    """Each text is one payload as it is (after `prefix`, e.g. a role before a name)."""
    assert texts, f"nothing shown at {place}"
    for value in texts:
        value = norm(value)
        assert value.startswith(prefix) and value[len(prefix) :].strip() in SHOWN, f"{place}: {value!r}"
    TRIED[place] += len(texts)


def check_selector(page, place: str, selector: str, prefix: str = "") -> None:
    # A micro-grid has no name: it is shown by kind and number ("微网格 002").
    texts = [t for t in page.locator(selector).all_inner_texts() if not re.fullmatch(r"微网格 \d+", t.strip())]
    check_texts(page, place, texts, prefix)


def finish(page, enforced: bool) -> None:
    """No payload ran; with the policy enforced, nothing broke it; the console stayed clean."""
    page.wait_for_timeout(300)
    assert page.xss == [], f"payloads ran: {page.xss}"
    if enforced:
        assert page.violations == [], page.violations
    assert page.problems == [], page.problems
    page.close()


def hover_points(page, limit: int = 400) -> list[str]:
    """The tooltips of the map's points (case points, key places), the mouse on each in turn."""
    texts = []
    for point in page.locator(".leaflet-points-pane path").all()[:limit]:
        box = point.bounding_box()
        if not box:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        tips = page.locator(".leaflet-tooltip:not(.area-label)")
        if tips.count():
            texts.append(tips.last.inner_text())
    page.mouse.move(5, 5)
    return texts


def hover_area_cards(page, place: str, limit: int = 6) -> None:
    """Hover the first areas' labels: each turns into the area's card, its name on top."""
    names = []
    for index in range(min(limit, page.locator(".leaflet-tooltip.area-label").count())):
        names += _hover_card(page, index)
    check_texts(page, place, names)


def _hover_card(page, index: int) -> list[str]:
    """The card's name texts after hovering label `index`: found again and hovered up to three
    times with a generous wait, since a busy machine may still be moving the map or drawing
    the card (a hover on a stale position shows nothing)."""
    card = page.locator(".leaflet-tooltip.area-card b")
    for _attempt in range(3):
        page.wait_for_function(MAP_AT_REST, timeout=WAIT_MS)
        labels = page.locator(".leaflet-tooltip.area-label")
        if labels.count() <= index:
            return []
        box = labels.nth(index).bounding_box()
        if box:
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            card.first.wait_for(timeout=5000)
        except Exception:  # noqa: BLE001 - not drawn: move away and hover again
            page.mouse.move(5, 5)
            continue
        names = card.all_inner_texts()
        page.mouse.move(5, 5)
        page.wait_for_timeout(50)
        return names
    return []


# --- the hostile city --------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_db(city_template, server_url):
    """A private copy of the small demo city whose every text field shown anywhere is a
    payload, scored (for the top grids and the wall's hotspots)."""
    from geo.risk.config import load_config
    from geo.risk.store import run_full
    from tests.conftest import copy_database

    for url in copy_database(city_template, server_url):
        with connect(url) as conn:
            conn.execute("CREATE TEMP TABLE payload (n int PRIMARY KEY, text text NOT NULL)")
            with conn.cursor().copy("COPY payload (n, text) FROM STDIN") as copy:
                for n, text in enumerate(PAYLOADS):
                    copy.write_row((n, text))

            def spread(table: str, key: str, assignments: str) -> None:
                conn.execute(
                    f"""WITH numbered AS (SELECT {key} AS k, row_number() OVER (ORDER BY {key}) - 1 AS i FROM {table})
                        UPDATE {table} t SET {assignments}
                        FROM numbered n, payload p, payload q
                        WHERE t.{key} = n.k AND p.n = n.i % {len(PAYLOADS)} AND q.n = (n.i + 7) % {len(PAYLOADS)}"""
                )

            spread("admin_area", "id", "name = p.text")
            spread("grid", "id", "name = p.text")
            spread("grid_staff", "ctid", "name = p.text")
            spread("building", "id", "estate = p.text, building_no = '', standard_address = q.text")
            spread("key_place", "id", "name = p.text, address = q.text")
            spread("centre", "id", "name = p.text, address = q.text")
            spread("camera", "id", "name = p.text")
            # The newest cases first: any page's few cases hold many payloads.
            conn.execute(
                f"""WITH numbered AS (SELECT id, row_number() OVER (ORDER BY reported_at DESC, id) - 1 AS i FROM cases)
                    UPDATE cases c SET summary = p.text, address_text = q.text
                    FROM numbered n, payload p, payload q
                    WHERE c.id = n.id AND p.n = n.i % {len(PAYLOADS)} AND q.n = (n.i + 7) % {len(PAYLOADS)}"""
            )
            # The data brought up to a minute ago: the wall shows today's cases.
            conn.execute(
                """WITH d AS (SELECT now() - max(reported_at) - interval '1 minute' AS shift FROM cases)
                   UPDATE cases SET reported_at = reported_at + d.shift, deadline = deadline + d.shift,
                                    closed_at = closed_at + d.shift FROM d"""
            )
            save_user(conn, USER, "XSS test", "admin", None, PASSWORD, "test")
            conn.commit()
            run_full(conn, conn.execute("SELECT max(reported_at)::date FROM cases").fetchone()[0], load_config())
        yield url


@pytest.fixture(scope="module")
def served(hostile_db):
    yield from serve(hostile_db)


@pytest.fixture(scope="module")
def places(hostile_db) -> dict:
    """The grid with the most cases in the last month of the data, its busiest building (and
    that building's micro-grid), and the community of the grid."""
    with connect(hostile_db) as conn:
        grid = conn.execute(
            """SELECT g.code FROM cases c JOIN case_assignment a ON a.case_id = c.id
               JOIN grid_current g ON g.id = a.grid_id
               WHERE EXISTS (SELECT FROM key_place k WHERE ST_Contains(g.geom, k.geom))
               GROUP BY g.code ORDER BY count(*) DESC, g.code LIMIT 1"""
        ).fetchone()[0]
        building, micro_grid = conn.execute(
            """SELECT b.code, b.micro_grid_code FROM cases c JOIN case_assignment a ON a.case_id = c.id
               JOIN grid_current g ON g.id = a.grid_id JOIN building b ON b.id = a.building_id
               WHERE g.code = %s GROUP BY b.code, b.micro_grid_code ORDER BY count(*) DESC, b.code LIMIT 1""",
            [grid],
        ).fetchone()
        community = conn.execute(
            "SELECT a.code FROM grid_current g JOIN admin_area a ON a.id = g.community_id WHERE g.code = %s", [grid]
        ).fetchone()[0]
        first, last = conn.execute("SELECT min(reported_at)::date, max(reported_at)::date FROM cases").fetchone()
    # All the data's days, not the last month only: the case table then shows its 300 rows.
    span = f"from={first.isoformat()}&to={last.isoformat()}"
    return {"grid": grid, "building": building, "micro_grid": micro_grid, "community": community, "span": span}


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    lines = [f"  {place}: {count}" for place, count in sorted(TRIED.items())]
    print(f"\nXSS strings tried: {sum(TRIED.values())} ({len(PAYLOADS)} payloads × places)\n" + "\n".join(lines))


@pytest.fixture(params=["csp", "no-csp"])
def context(request, browser):
    """A browser context that enforces the app's policy, or one that ignores it."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, bypass_csp=request.param == "no-csp")
    context.enforced = request.param == "csp"
    context.tag = request.param
    yield context
    context.close()


# --- the pages ---------------------------------------------------------------------------


def test_the_city_view(context, served):
    page = open_page(context, served, "/", map_ready)
    tag = context.tag
    check_selector(page, f"{tag} map labels (counties)", ".leaflet-tooltip.area-label")
    check_selector(page, f"{tag} breadcrumb", ".breadcrumb .current")
    check_selector(page, f"{tag} top grids", "#top-grids .name")
    hover_area_cards(page, f"{tag} map cards (counties)")
    assert page.locator("#trend-chart .main-svg").count() and page.locator("#category-chart .main-svg").count()
    # A click on an area drills into it: the clientside callback runs under the policy.
    box = page.locator(".leaflet-tooltip.area-label").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => location.search.includes('u=')", timeout=WAIT_MS)
    settle(page)
    check_selector(page, f"{tag} breadcrumb", ".breadcrumb a, .breadcrumb .current")
    check_selector(page, f"{tag} map labels (townships)", ".leaflet-tooltip.area-label")
    finish(page, context.enforced)


def test_a_grid_with_its_cases_and_places(context, served, places):
    page = open_page(context, served, f"/?u={places['grid']}&{places['span']}&layers=cases,places", map_ready)
    tag = context.tag
    page.wait_for_selector("#case-table td[data-dash-column=summary]", timeout=WAIT_MS)
    check_selector(page, f"{tag} breadcrumb", ".breadcrumb a, .breadcrumb .current")
    staff = [text.split("：", 1)[-1] for text in page.locator(".staff li").all_inner_texts()]  # "role：name"
    check_texts(page, f"{tag} staff names", staff)
    summaries, addresses = [], []
    for _ in range(30):  # every page of the table
        summaries += page.locator("#case-table td[data-dash-column=summary]").all_inner_texts()
        addresses += page.locator("#case-table td[data-dash-column=address]").all_inner_texts()
        following = page.locator("#case-table button.next-page")
        if not following.count() or following.is_disabled():
            break
        following.click()
        page.wait_for_timeout(100)
    assert len(set(summaries)) >= min(len(PAYLOADS), len(summaries)) // 2
    check_texts(page, f"{tag} case table: summary", summaries)
    check_texts(page, f"{tag} case table: address", addresses)
    if page.locator("#case-table button.first-page").count():
        page.locator("#case-table button.first-page").click()
    cell = page.locator("#case-table td[data-dash-column=summary]").first
    cell.hover()
    tip = page.locator(".dash-table-tooltip")
    tip.wait_for(timeout=5000)
    check_texts(page, f"{tag} case table: summary tooltip", [tip.inner_text()])
    screenshot(page, f"xss-grid-{tag}")
    tips = hover_points(page)
    named = [t.split("\n")[0] for t in tips if not re.match(r"^[A-Z]{1,4}\d", t)]
    assert len(tips) > len(named) > 0, f"case points and key places both show tooltips: {tips[:3]}"
    check_texts(page, f"{tag} key place tooltips", named)
    facts = page.locator(".facts td").all_inner_texts()
    assert any(norm(value) in SHOWN for value in facts), "the community's name in the grid's facts"
    TRIED[f"{tag} grid facts: community"] += 1
    assert page.locator("#trend-chart .main-svg").count()
    finish(page, context.enforced)


def test_a_micro_grid_and_a_building(context, served, places):
    tag = context.tag
    page = open_page(context, served, f"/?u={places['micro_grid']}", map_ready)
    check_selector(page, f"{tag} map labels (buildings)", ".leaflet-tooltip.area-label")
    hover_area_cards(page, f"{tag} map cards (buildings)")
    finish(page, context.enforced)

    page = open_page(context, served, f"/?u={places['building']}&{places['span']}", map_ready)
    page.wait_for_selector("#building-facts", timeout=WAIT_MS)
    address = page.locator("#building-facts .facts tr").first.locator("td").inner_text()
    check_texts(page, f"{tag} building address", [address])
    check_selector(page, f"{tag} breadcrumb", ".breadcrumb a, .breadcrumb .current")
    check_selector(page, f"{tag} case table: summary", "#case-table td[data-dash-column=summary]")
    screenshot(page, f"xss-building-{tag}")
    finish(page, context.enforced)


def test_the_wall(context, served):
    tag = context.tag
    page = open_page(context, served, "/wall/?tour=0", wall_ready)
    check_selector(page, f"{tag} wall: latest cases", "#wall-ticker li .summary")
    check_selector(page, f"{tag} wall: latest cases' grids", "#wall-ticker li .where")
    check_selector(page, f"{tag} wall: map labels", "#wall-map .leaflet-tooltip.area-label")
    hotspots = page.locator(".wall li .name")
    if hotspots.count():
        check_selector(page, f"{tag} wall: hotspot grids", ".wall li .name")
    overdue = page.locator(".wall li .where").all_inner_texts()
    check_texts(page, f"{tag} wall: overdue and latest grids", overdue)
    check_texts(page, f"{tag} wall: scope", [page.locator("#wall-scope").inner_text()])
    # The clock is a clientside callback.
    page.wait_for_function(
        "() => /\\d\\d:\\d\\d/.test(document.querySelector('#wall-clock').textContent)", timeout=5000
    )
    screenshot(page, f"xss-wall-{tag}")
    finish(page, context.enforced)


def test_the_boundary_editor(context, served, places):
    tag = context.tag
    page = open_page(context, served, f"/boundaries?c={places['community']}", editor_ready)
    check_selector(page, f"{tag} editor: grid labels", ".bnd-label")
    # A click on a grid's label selects it (a clientside callback), its name then in the panel.
    before = page.locator("#bnd-grid").inner_text()
    for label in page.locator(".bnd-label").all():
        label.click(force=True)
        try:
            page.wait_for_function("b => document.querySelector('#bnd-grid').innerText !== b", arg=before, timeout=3000)
            break
        except Exception:
            page.wait_for_timeout(500)
    assert page.locator("#bnd-grid").inner_text() != before, "no grid selected by a click on the map"
    page.wait_for_load_state("networkidle")
    shown = norm(page.locator("#bnd-panel, .bnd-panel, body").first.inner_text())
    assert any(p in shown for p in SHOWN)
    TRIED[f"{tag} editor: panel"] += sum(p in shown for p in SHOWN)
    screenshot(page, f"xss-boundaries-{tag}")
    finish(page, context.enforced)
