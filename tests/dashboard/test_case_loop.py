"""The case loop as a newcomer drives it, in a real headless Chromium: the dispatcher receives
a case on the desk and dispatches it to a grid, the grid worker takes it and reports back with
a photo on a phone-sized screen, the dispatcher verifies, closes and calls back; two
dispatchers on one case: the second is told who moved it. Screenshots of the desk and the
phone page are kept (screenshots/desk.png, screenshots/phone.png)."""

import pytest
from PIL import Image

from geo.auth.demo import demo_scopes
from geo.db.connection import connect
from tests.conftest import copy_database
from tests.dashboard.conftest import screenshot, serve, sign_in
from tests.geo.loop.conftest import make_case

pytestmark = pytest.mark.slow

EVENTS = "SELECT action, actor FROM case_event WHERE case_id = %s ORDER BY id"


@pytest.fixture(scope="module")
def loop_db(city_template, server_url):
    yield from copy_database(city_template, server_url)


@pytest.fixture(scope="module")
def served(loop_db):
    yield from serve(loop_db)


@pytest.fixture(scope="module")
def grid(loop_db, served) -> str:
    """The demo grid worker's grid (inside the demo dispatcher's township)."""
    with connect(loop_db) as conn:
        return demo_scopes(conn)["grid"]


def new_page(browser, served, username, width=1920, height=1080, mobile=False):
    page = browser.new_page(viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile,
                            bypass_csp=True)  # fmt: skip
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    sign_in(page, served, username)
    return page


def click_and_read(page, button: str, message: str, expected: str) -> str:
    """Click `button` and wait until `message` says `expected` (or the moves' error); return it."""
    page.locator(button).click()
    page.wait_for_function(
        f"""() => {{ const m = document.querySelector('{message}');
                     return m.innerText.includes('{expected}') || !!m.querySelector('.desk-error'); }}""",
        timeout=20_000,
    )
    return page.locator(message).inner_text()


def open_case(page, served, path: str, code: str) -> None:
    page.goto(f"{served}{path}?case={code}")
    page.wait_for_selector(f".desk-card h2:has-text('{code}')", timeout=30_000)


def test_a_case_goes_round_the_loop_on_the_desk_and_the_phone(browser, served, loop_db, grid, tmp_path):
    case_id = make_case(loop_db, grid, reported="2026-12-01 09:30+08")
    with connect(loop_db) as conn:
        code = conn.execute("SELECT code FROM cases WHERE id = %s", [case_id]).fetchone()[0]
    desk = new_page(browser, served, "dispatcher")
    desk.goto(f"{served}cases")
    desk.wait_for_selector(f".desk-table a:has-text('{code}')", timeout=30_000)  # a new case, in the queue
    desk.locator(f".desk-table a:has-text('{code}')").click()
    desk.wait_for_selector(f".desk-card h2:has-text('{code}')", timeout=30_000)
    assert "分拨" in click_and_read(desk, "#desk-do-dispatch", "#desk-msg", "分拨")

    phone = new_page(browser, served, "gridworker", 390, 844, mobile=True)
    phone.goto(f"{served}m")
    phone.wait_for_selector(f".m-task[href$='{code}']", timeout=30_000)
    phone.locator(f".m-task[href$='{code}']").click()
    phone.wait_for_selector(f".desk-card h2:has-text('{code}')", timeout=30_000)
    assert "签收" in click_and_read(phone, "#m-do-take", "#m-msg", "签收")
    phone.wait_for_selector("#m-do-report_back:visible", timeout=20_000)
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (320, 240), (200, 90, 40)).save(photo, "JPEG")
    phone.locator("#m-note").fill("已上门调解，双方达成一致")
    phone.locator("#m-outcome input[value=success]").check()
    phone.locator("#m-photos input[type=file]").set_input_files(str(photo))
    phone.wait_for_selector("#m-photo-count:has-text('1')", timeout=10_000)
    assert "反馈" in click_and_read(phone, "#m-do-report_back", "#m-msg", "反馈")
    phone.wait_for_selector(".desk-photos img", timeout=20_000)
    # The element appears before its bytes arrive; wait until it has loaded (or failed to).
    phone.wait_for_function("() => document.querySelector('.desk-photos img').complete", timeout=20_000)
    assert phone.evaluate("document.querySelector('.desk-photos img').naturalWidth") == 320
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    screenshot(phone, "phone")

    open_case(desk, served, "cases", code)
    assert "核查" in click_and_read(desk, "#desk-do-verify", "#desk-msg", "核查")
    desk.wait_for_selector("#desk-do-close:visible", timeout=20_000)
    assert "结案" in click_and_read(desk, "#desk-do-close", "#desk-msg", "结案")
    desk.wait_for_selector("#desk-do-call_back:visible", timeout=20_000)
    desk.locator("#desk-satisfied input[value=yes]").check()
    assert "回访" in click_and_read(desk, "#desk-do-call_back", "#desk-msg", "回访")
    desk.wait_for_selector(".desk-history li:nth-child(6)", timeout=20_000)
    screenshot(desk, "desk")
    with connect(loop_db) as conn:
        events = conn.execute(EVENTS, [case_id]).fetchall()
        closed = conn.execute(
            "SELECT status, satisfied, mediation_outcome FROM cases WHERE id = %s", [case_id]
        ).fetchone()
    assert events == [("dispatch", "dispatcher"), ("take", "gridworker"), ("report_back", "gridworker"),
                      ("verify", "dispatcher"), ("close", "dispatcher"), ("call_back", "dispatcher")]  # fmt: skip
    assert closed == ("closed", True, "success")
    assert desk.problems == [] and phone.problems == []


def test_the_second_of_two_dispatchers_is_told_who_moved_the_case(browser, served, loop_db, grid):
    case_id = make_case(loop_db, grid)
    with connect(loop_db) as conn:
        code = conn.execute("SELECT code FROM cases WHERE id = %s", [case_id]).fetchone()[0]
    first, second = new_page(browser, served, "dispatcher"), new_page(browser, served, "dispatcher")
    for page in (first, second):
        open_case(page, served, "cases", code)
    assert "分拨" in click_and_read(first, "#desk-do-dispatch", "#desk-msg", "分拨")
    told = click_and_read(second, "#desk-do-merge", "#desk-msg", "刷新")
    assert "dispatcher" in told and "刷新" in told
    second.wait_for_selector(".desk-status:has-text('分拨')", timeout=20_000)  # the page shows the case as it now is
    with connect(loop_db) as conn:
        assert [a for a, _ in conn.execute(EVENTS, [case_id]).fetchall()] == ["dispatch"]


def test_the_desk_and_the_phone_page_are_for_their_roles_only(browser, served):
    leader = new_page(browser, served, "leader")
    for path in ("cases", "m"):
        leader.goto(f"{served}{path}")
        leader.wait_for_load_state("networkidle")
        assert leader.url.rstrip("/") == served.rstrip("/"), path  # sent back to the map
        assert leader.locator(".desk-page, .m-page").count() == 0


def test_a_grid_worker_reports_a_case_at_the_phones_position(browser, served, loop_db, grid):
    with connect(loop_db) as conn:
        lat, lon = conn.execute(
            "SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid_current WHERE code = %s) g",
            [grid],
        ).fetchone()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  geolocation={"latitude": lat, "longitude": lon}, permissions=["geolocation"])  # fmt: skip
    phone = context.new_page()
    sign_in(phone, served, "gridworker")
    phone.goto(f"{served}m")
    phone.wait_for_selector("#m-category", state="attached", timeout=30_000)
    phone.locator("#m-report-section summary").click()  # 上报新事件
    phone.locator("#m-category").click()
    phone.get_by_role("option", name="消防安全隐患").click()
    phone.locator("#m-summary").fill("三号楼楼道堆放电动车电池")
    phone.locator("#m-locate").click()
    phone.wait_for_selector("#m-where:has-text('位置')", timeout=20_000)
    said = click_and_read(phone, "#m-submit", "#m-new-msg", "已上报")
    assert grid in said
    with connect(loop_db) as conn:
        row = conn.execute(
            """SELECT c.source, c.category_code, c.status, g.code, c.escalation_level FROM cases c
               JOIN case_assignment a ON a.case_id = c.id JOIN grid g ON g.id = a.grid_id
               WHERE c.summary = '三号楼楼道堆放电动车电池'"""
        ).fetchone()
    assert row == ("grid_worker", "hazard_fire", "accepted", grid, "grid")
    context.close()


def test_the_maps_panel_shows_closure_quality_when_opened(browser, served):
    leader = new_page(browser, served, "township")
    leader.goto(served)
    leader.wait_for_selector("#quality-summary", timeout=30_000)
    leader.wait_for_timeout(1500)
    assert leader.locator("#panel-quality").inner_text() == ""  # not read until asked for
    leader.locator("#quality-summary").click()
    leader.wait_for_selector(".quality-facts", timeout=30_000)
    text = leader.locator("#panel-quality").inner_text()
    assert "按期办结率" in text and "结案未解决率" in text and "网格办理" in text
    assert leader.problems == []


def test_the_desk_keeps_its_case_through_a_language_switch(browser, served, loop_db, grid):
    case_id = make_case(loop_db, grid)
    with connect(loop_db) as conn:
        code = conn.execute("SELECT code FROM cases WHERE id = %s", [case_id]).fetchone()[0]
    desk = new_page(browser, served, "dispatcher")
    open_case(desk, served, "cases", code)
    desk.locator("#f-lang input[value=en]").check()  # the header's switch
    desk.wait_for_selector("h2:has-text('Dispatch desk')", timeout=30_000)
    desk.wait_for_selector(f".desk-card h2:has-text('{code}')", timeout=30_000)
    assert "Received" in desk.locator(".desk-status").inner_text()
