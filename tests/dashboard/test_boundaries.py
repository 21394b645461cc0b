"""The boundary editor in a real headless Chromium, on a private copy of the small demo city: a
planner opens a draft, drags a vertex two grids share, sees the checks and the impact,
commits with a reason; the database then holds new versions of both grids through the new
vertex and still the old ones. Refused steps show a message, never a traceback."""

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

import pytest
import shapely

from bench.boundaries import interior_shared_vertex
from geo.boundaries import edits, features, history, store
from geo.boundaries.validate import validate
from geo.db.connection import connect
from geo.map.areas import published_grid_key_persons
from geo.settings import get_settings
from tests.dashboard.conftest import screenshot, serve, sign_in

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

PLANNER = "系统管理员 (admin)"  # the signed-in demo user, as drafts and versions name it
WAIT_MS = 20_000
# Directions to drag a handle, in pixels: if the first would make a polygon cross itself
# (the server refuses it and says so), the next is tried.
DRAGS = ((20, 12), (-20, -12), (12, -20), (-12, 20), (24, 0), (0, 24), (-24, 0), (0, -24), (8, 5))


@pytest.fixture
def served(city_db):
    yield from serve(city_db)


@pytest.fixture
def page(browser, served):
    # Playwright evaluates its wait predicates with eval, which the page's CSP forbids; the
    # pages under their CSP are tested in test_xss.py.
    page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=True)
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.base = served.rstrip("/")
    sign_in(page, served)
    yield page
    assert page.problems == []
    page.close()


@pytest.fixture
def community(city_db) -> str:
    """An urban community with at least three basic grids (as the core's tests use)."""
    with connect(city_db) as conn:
        return conn.execute(
            """SELECT a.code FROM admin_area a JOIN grid_current g ON g.community_id = a.id AND g.is_basic
               WHERE a.level = 4 AND a.is_urban GROUP BY a.code HAVING count(*) >= 3 ORDER BY a.code LIMIT 1"""
        ).fetchone()[0]


def open_draft(page, community: str) -> int:
    """Open the editor on `community` and a draft in it; its id."""
    page.goto(f"{page.base}/boundaries?c={community}")
    page.wait_for_selector(".bnd-label", timeout=WAIT_MS)
    page.click("#bnd-open")
    page.wait_for_url(re.compile(r"draft=\d+"), timeout=WAIT_MS)
    page.wait_for_function("document.querySelector('#bnd-draft-info').textContent.length > 0", timeout=WAIT_MS)
    return int(re.search(r"draft=(\d+)", page.url).group(1))


def select_grid(page, draft, codes: tuple[str, ...]) -> str:
    """Click on the map on the name of one of `codes` until that grid is selected; its code.
    The labels are drawn again when the draft arrives and while the map flies: a click can
    meet a label on its way out, so each is tried a few times once the map has settled."""
    settled(page)
    for _attempt in range(3):
        for code in codes:
            label = page.locator(".bnd-label", has_text=draft.grids[code].name).first
            try:
                label.wait_for(state="visible", timeout=5000)
                label.click(force=True)
                page.wait_for_function(
                    "c => document.querySelector('#bnd-grid').textContent.indexOf(c) >= 0", arg=code, timeout=5000
                )
                page.wait_for_selector(".bnd-vertex", timeout=WAIT_MS)
                return code
            except Exception:
                settled(page)
    raise AssertionError(f"none of {codes} could be selected by a click on the map")


def settled(page) -> None:
    """Wait for the requests to end and the map's fly-to to finish (for a screenshot)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)


def drag(page, locator, dx: float, dy: float) -> None:
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + dx * step / 5, y + dy * step / 5)
    page.mouse.up()


def drag_vertex(page, url: str, draft_id: int, label: str) -> None:
    """Drag the handle titled `label` until the server takes the move (a step is stored) and
    the draft can be committed (a drag can split a building: then undo, try another way)."""
    for dx, dy in DRAGS:
        handle = page.locator(f'.bnd-vertex[title="{label}"]')
        handle.wait_for(timeout=WAIT_MS)
        assert "bnd-shared" in handle.get_attribute("class")
        drag(page, handle, dx, dy)
        if not wait_for_steps(page, url, draft_id, 1):
            continue
        page.wait_for_function("document.querySelector('#bnd-msg').textContent.indexOf('移动顶点') >= 0")
        if not blocked(url, draft_id):
            return
        page.click("#bnd-undo")
        wait_for_steps(page, url, draft_id, 0)
        page.wait_for_function("document.querySelector('#bnd-msg').textContent.indexOf('已撤销') >= 0")
    raise AssertionError("no drag of the shared vertex could be committed: " + page.locator("#bnd-msg").inner_text())


def wait_for_steps(page, url: str, draft_id: int, count: int) -> bool:
    """Wait until the draft has `count` steps (True), or the server refused the step (False)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if steps(url, draft_id) == count:
            return True
        if "无法完成" in page.locator("#bnd-msg").inner_text() and time.monotonic() > deadline - 7:
            return False
        time.sleep(0.2)
    return False


def blocked(url: str, draft_id: int) -> bool:
    """Whether the draft breaks a rule that blocks its commit (as the page will show)."""
    with connect(url) as conn:
        return any(p.blocks for p in validate(store.load_draft(conn, draft_id), store.read_base(conn, draft_id)))


def steps(url: str, draft_id: int) -> int:
    with connect(url) as conn:
        return conn.execute("SELECT count(*) FROM boundary_draft_step WHERE draft_id = %s", [draft_id]).fetchone()[0]


def test_drag_a_shared_vertex_and_commit(page, city_db, community):
    draft_id = open_draft(page, community)
    with connect(city_db) as conn:
        draft = store.load_draft(conn, draft_id)
    found = interior_shared_vertex(draft)
    assert found, "no interior vertex shared by two grids"
    a, b, vertex = found
    select_grid(page, draft, (a, b))
    settled(page)
    screenshot(page, "boundaries-draft")
    drag_vertex(page, city_db, draft_id, features.vertex_label(vertex))

    page.wait_for_selector("#bnd-checks .bnd-note, #bnd-checks .bnd-problems", timeout=WAIT_MS)
    page.wait_for_selector("#bnd-impact h4", timeout=WAIT_MS)
    assert "楼栋与事件的变动" in page.locator("#bnd-impact").inner_text()
    settled(page)
    screenshot(page, "boundaries-moved")

    before_commit = dt.datetime.now(ZoneInfo(get_settings().timezone))
    page.fill("#bnd-reason", "调整第1、2网格的共用边界，便于网格员巡查")
    page.wait_for_selector("#bnd-commit:not([disabled])", timeout=WAIT_MS)
    page.click("#bnd-commit")
    page.wait_for_function(
        "document.querySelector('#bnd-commit-msg').textContent.indexOf('已提交') >= 0", timeout=WAIT_MS
    )
    assert "草稿" not in page.locator("#bnd-draft-info").inner_text() or "draft=" not in page.url

    with connect(city_db) as conn:
        moved_to = conn.execute(
            "SELECT detail->'to' FROM boundary_draft_step WHERE draft_id = %s AND operation = 'move_vertex'",
            [draft_id],
        ).fetchone()[0]
        for code in (a, b):
            rows = conn.execute(
                "SELECT valid_from, valid_to, ST_AsBinary(geom) FROM grid WHERE code = %s ORDER BY valid_from",
                [code],
            ).fetchall()
            assert len(rows) >= 2, f"grid {code} has no new version"
            (_old_from, old_to, old_wkb), (new_from, new_to, new_wkb) = rows[-2], rows[-1]
            assert old_to is not None and new_to is None and new_from >= old_to
            assert features.has_vertex(shapely.from_wkb(new_wkb), moved_to)
            assert not features.has_vertex(shapely.from_wkb(new_wkb), vertex)
            assert shapely.from_wkb(old_wkb).distance(shapely.Point(vertex)) < 1e-7
        # The old version is still there to read: the grids as they were before the commit.
        then = history.grids_as_of(conn, community, before_commit - dt.timedelta(seconds=1))
        old = then.set_index("code").geometry
        assert old[a].distance(shapely.Point(vertex)) < 1e-7 and old[b].distance(shapely.Point(vertex)) < 1e-7
        committed_at = rows[-1][0]
        # The commit is in the audit log, by who signed in, with the reason.
        actor, detail = conn.execute(
            "SELECT actor, detail FROM audit.log WHERE action = 'boundary.commit' AND target = %s", [community]
        ).fetchone()
        assert actor == "admin" and detail["draft_id"] == draft_id and detail["reason"]

    # The history: the grids just before the commit, dashed over today's, and the version.
    page.wait_for_function(
        "t => document.querySelector('#bnd-versions').textContent.indexOf(t) >= 0", arg=PLANNER, timeout=WAIT_MS
    )
    show_as_of(page, committed_at - dt.timedelta(seconds=1))
    page.wait_for_function("document.querySelector('#bnd-asof-note').textContent.length > 0", timeout=WAIT_MS)
    assert "虚线" in page.locator("#bnd-asof-note").inner_text()
    # The panel scrolls, not the page: the map stays where it is.
    page.evaluate("() => { window.scrollTo(0, 0); document.querySelector('.bnd-panel').scrollTop = 1e6; }")
    settled(page)
    screenshot(page, "boundaries-history")


def show_as_of(page, moment: dt.datetime) -> None:
    local = moment.astimezone(ZoneInfo(get_settings().timezone))
    page.fill("#bnd-asof-time", local.strftime("%H:%M:%S"))
    page.fill("#bnd-asof-date", local.strftime("%Y-%m-%d"))
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def test_refused_steps_show_a_message(page, city_db, community):
    open_draft(page, community)
    page.wait_for_selector("#bnd-draft-info:has-text('#')", timeout=WAIT_MS)
    assert page.locator("#bnd-commit").is_disabled()  # a draft without an edit: nothing to commit
    # Tools that cannot apply to nothing chosen are disabled; the server refuses them anyway.
    assert all(page.locator(f"#bnd-do-{tool}").is_disabled() for tool in ("split", "merge", "remove", "recode"))
    assert page.locator("#bnd-undo").is_enabled() and page.locator("#bnd-discard").is_enabled()
    page.evaluate("window.dash_clientside.set_props('bnd-do-remove', {n_clicks: 1})")
    page.wait_for_function(
        "document.querySelector('#bnd-msg').textContent.indexOf('请先选择网格') >= 0", timeout=WAIT_MS
    )
    # A grid and a code the scheme cannot take: the tool is enabled, and the step refused with why.
    with connect(city_db) as conn:
        grid = conn.execute(COMMUNITY_GRID, [community]).fetchone()[0]
    page.evaluate("code => window.dash_clientside.set_props('bnd-grid', {value: code})", grid)
    page.fill("#bnd-code", "不是编码")
    page.click("#bnd-do-recode")
    page.wait_for_function("document.querySelector('#bnd-msg').textContent.indexOf('无法完成') >= 0", timeout=WAIT_MS)
    assert "Traceback" not in page.content()


COMMUNITY_GRID = """SELECT g.code FROM grid_current g JOIN admin_area a ON a.id = g.community_id
WHERE a.code = %s AND g.is_basic ORDER BY g.code LIMIT 1"""


def test_name_and_draft_survive_a_reload_and_the_language_switch(page, community):
    draft_id = open_draft(page, community)
    page.reload()
    page.wait_for_selector(".bnd-label", timeout=WAIT_MS)
    assert "系统管理员" in page.locator(".user-box").inner_text()  # the author is who signed in
    # The language switch draws the page anew: switched while the map still flies to the
    # community, Leaflet logs "Cannot read properties of undefined (reading '_leaflet_pos')"
    # (seen once in four runs). A known race of Leaflet's, left to its own issue.
    settled(page)
    page.check("#f-lang input[value=en]")
    page.wait_for_function(
        "document.querySelector('#bnd-draft-info').textContent.indexOf('Draft #') >= 0", timeout=WAIT_MS
    )
    page.wait_for_url(re.compile(rf"draft={draft_id}.*lang=en"), timeout=WAIT_MS)
    assert "Boundary editor" in page.locator(".top-nav").inner_text()
    assert page.locator("#bnd-commit").inner_text() == "Commit the boundaries"


def test_the_preview_shows_key_persons_only_as_the_map_publishes_them(page, city_db, community):
    draft_id = open_draft(page, community)
    with connect(city_db, autocommit=True) as conn:
        draft = store.load_draft(conn, draft_id)
        a, b, _vertex = interior_shared_vertex(draft)
        rows = shapely.within(draft.buildings.points, draft.grids[a].geom)
        nearest = shapely.distance(draft.buildings.points[rows], draft.grids[b].geom).argsort()
        with store.editing(conn, draft_id, "move_buildings", {}) as changed:
            edits.move_buildings(changed, draft.buildings.ids[rows][nearest][:2].tolist(), b)
        shown = published_grid_key_persons(conn, [a, b])
    page.reload()
    page.wait_for_selector("#bnd-persons-note", timeout=WAIT_MS)
    expected = " → ".join("不显示" if shown[code] is None else str(shown[code]) for code in (a, b))
    assert page.locator("#bnd-impact td.persons").first.inner_text() == expected
    settled(page)
    screenshot(page, "boundaries-preview-persons")
