"""Replaying the dashboard's own callback requests with other jurisdictions' ids: zero leaks.

The requests are captured from a real headless Chromium walking every page (the map at each
level with every layer, the boundary editor with a draft, the wall, the key-person records).
Each demo user then replays every captured request with its ids (unit codes, the wall's scope,
the editor's community and draft) replaced by ids outside its jurisdiction. Nothing of those
places may come back: no code or name of a unit inside them, no key person's pseudonym. A
callback the role may not run is refused. Every response of every role is also scanned for
key persons' pseudonyms: only the key-population officer's records may hold them, and only
its own jurisdiction's."""

import copy
import json
import re
from collections import Counter

import pytest

from dashboard.app import create_app
from geo.auth.demo import DEMO_USERS, demo_scopes
from geo.auth.roles import PERMISSIONS
from geo.boundaries import store
from geo.db.connection import connect
from tests.dashboard.conftest import open_path, serve, sign_in, signed_in_client

# In a browser, end to end: left out of `make test-fast`.
pytestmark = pytest.mark.slow

CALLBACK = "_dash-update-component"
TOKEN = re.compile(r"(?<![0-9A-Za-z.])[0-9]{6,}[A-Z0-9]*(?![0-9A-Za-z.])")
PSEUDONYM = re.compile(r"KP[0-9A-F]{14}")
UNITS = """
SELECT 'area' || level, code, name, (SELECT p.code FROM admin_area p WHERE p.id = a.parent_id) FROM admin_area a
UNION ALL SELECT 'grid', g.code, g.name, a.code FROM grid_current g JOIN admin_area a ON a.id = g.community_id
    WHERE g.is_basic
UNION ALL SELECT 'micro_grid', code, NULL, grid_code FROM micro_grid_current
UNION ALL SELECT 'building', code, standard_address, micro_grid_code FROM building"""
PERSONS = "SELECT k.pseudonym, b.code FROM sensitive.key_person k JOIN building b ON b.id = k.building_id"
CASES = """SELECT DISTINCT ON (g.code) g.code, c.id, c.code FROM cases c JOIN case_assignment a ON a.case_id = c.id
JOIN grid g ON g.id = a.grid_id ORDER BY g.code, c.id"""
SEEN = Counter()


class World:
    """Every unit with its parent, name and key persons; what lies inside what."""

    def __init__(self, conn):
        self.kind, self.name, self.parent, self.children = {}, {}, {}, {}
        for kind, code, name, parent in conn.execute(UNITS):
            self.kind[code], self.name[code], self.parent[code] = kind, name, parent
            self.children.setdefault(parent, []).append(code)
        self.persons = {}
        for pseudonym, building in conn.execute(PERSONS):
            self.persons.setdefault(building, []).append(pseudonym)
        self.all_pseudonyms = {p for persons in self.persons.values() for p in persons}
        self.case_of_grid = {grid: (case_id, code) for grid, case_id, code in conn.execute(CASES)}

    def case_in(self, code: str) -> tuple[int, str] | None:
        """(id, code) of a case placed inside the unit `code`, None when there is none."""
        return next((self.case_of_grid[c] for c in sorted(self.below(code)) if c in self.case_of_grid), None)

    def below(self, code: str | None) -> set[str]:
        """The unit and everything inside it (the whole world for None)."""
        if code is None:
            return set(self.kind)
        found, stack = set(), [code]
        while stack:
            current = stack.pop()
            found.add(current)
            stack.extend(self.children.get(current, []))
        return found

    def above(self, code: str | None) -> set[str]:
        found = set()
        while code is not None and code in self.parent:
            code = self.parent[code]
            if code:
                found.add(code)
        return found

    def other_county(self, home: str | None) -> str:
        """A county that neither holds `home` nor lies inside it."""
        inside, holding = self.below(home), self.above(home) | {home}
        counties = sorted(c for c, kind in self.kind.items() if kind == "area2")
        return next(c for c in counties if c not in holding and c not in inside)

    def of_kind(self, kind: str, inside: str | None, outside: set[str]) -> str | None:
        """The first unit of `kind` inside `inside` and not in `outside`."""
        return min((c for c in self.below(inside) if self.kind[c] == kind and c not in outside), default=None)


@pytest.fixture(scope="module")
def city(city_template, server_url):
    from geo.risk.config import load_config
    from geo.risk.store import run_full
    from tests.conftest import DEMO_AS_OF, copy_database

    for url in copy_database(city_template, server_url):
        with connect(url) as conn:
            run_full(conn, DEMO_AS_OF, load_config())
        yield url


@pytest.fixture(scope="module")
def world(city) -> World:
    with connect(city) as conn:
        return World(conn)


@pytest.fixture(scope="module")
def scopes(city) -> dict:
    with connect(city) as conn:
        return demo_scopes(conn)


@pytest.fixture(scope="module")
def foreign_draft(city, world, scopes) -> int:
    """An open draft of a community in another county than the demo users'."""
    community = world.of_kind("area4", world.other_county(scopes["county"]), set())
    with connect(city) as conn:
        draft = store.open_draft(conn, community, "someone else")
        conn.commit()
    return draft.id


@pytest.fixture(scope="module")
def captured(city, browser, world, scopes) -> list[tuple[str, dict]]:
    """(path prefix, body) of every callback request the pages send, walked as the admin and
    as the key-population officer."""
    bodies = []
    for base in serve(city):
        township, grid = scopes["township"], scopes["grid"]
        micro = world.of_kind("micro_grid", grid, set())
        building = world.of_kind("building", grid, set())
        community = world.parent[grid]
        housed = min(b for b in world.below(township) if world.persons.get(b))  # a building with key persons
        _dispatched_case(city, grid)
        walks = {
            "dispatcher": ["/cases", f"/cases?case={DESK_CASE}"],
            "gridworker": ["/m", f"/m?case={DESK_CASE}"],
            "admin": [
                f"/?u={scopes['county']}&m=persons&layers=heat,cases,places,cameras,centres",
                f"/?u={township}&m=cases&layers=heat",
                f"/?u={grid}&layers=cases,places,cameras,centres",
                f"/?u={micro}&layers=cases",
                f"/?u={building}",
                f"/overview?u={township}",
                "/data",
                f"/boundaries?c={community}",
                f"/wall/?scope={township}&tour=2",
            ],
            "officer": [f"/?u={world.parent[world.parent[housed]]}", f"/?u={housed}"],
        }
        for username, paths in walks.items():
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=True)
            page.on("request", lambda request: _keep(request, bodies))
            sign_in(page, base, username)
            for path in paths:
                open_path(page, base, path)
                _settle(page, path)
                if path.startswith("/boundaries"):
                    _use_the_editor(page, path)
                if "case=" in path:
                    _use_the_loop(page, path)
                if path.split("&")[0] == f"/?u={township}":  # the panel's closure quality, opened
                    page.click("#quality-summary")
                    _settle(page, path)
                    _use_the_map(page, path, world.name[grid])
                if path.startswith("/overview"):
                    page.click("#league-sort label >> nth=1")  # ranked on another column
                    _settle(page, path)
                if username == "officer":
                    with page.expect_download():
                        page.click("#kpr-export")
            page.close()
    return bodies


def _use_the_map(page, path: str, search: str) -> None:
    """Search, a key figure, a category bar, a step of the time control and a chip: each sends
    its callback."""
    page.fill("#map-search", search)
    page.keyboard.press("Enter")
    _settle(page, path)
    open_path(page, page.url.split("?")[0].removesuffix("/"), path)
    _settle(page, path)
    box = page.locator("#category-chart .point path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    _settle(page, path)
    page.click("#kpi-overdue")
    _settle(page, path)
    page.click("#time-prev")
    _settle(page, path)
    page.click("#chip-all")
    _settle(page, path)


def _use_the_editor(page, path: str) -> None:
    """Open a draft, try a step without a grid, commit without a reason, discard: each sends
    its callback (refused or not, the request is what the replay needs). Commit is disabled on
    a draft without an edit, so its click is given to Dash directly."""
    page.click("#bnd-open")
    page.wait_for_url(re.compile(r"draft=\d+"), timeout=30_000)
    _settle(page, path)
    for button in ("#bnd-do-remove", "#bnd-undo", "#bnd-commit", "#bnd-discard"):
        if page.locator(button).is_disabled():
            page.evaluate("id => window.dash_clientside.set_props(id, {n_clicks: 1})", button[1:])
        else:
            page.click(button, force=True)
        _settle(page, path)


DESK_CASE = "REPLAY-1"


def _dispatched_case(url: str, grid: str) -> None:
    """A case in the demo grid worker's grid, dispatched to it, for the desk and the phone."""
    from geo.loop.moves import move
    from tests.geo.loop.conftest import NEW_CASE

    with connect(url) as conn, conn.transaction():
        params = {"code": DESK_CASE, "category": "dispute_neighbour", "reported": "2026-11-20 10:00+08", "grid": grid}
        case_id = conn.execute(NEW_CASE, params).fetchone()[0]
        from geo.geocode.bulk import place_new

        place_new(conn, [case_id])
        move(conn, case_id, "dispatch", 1, detail={"kind": "grid", "to": grid}, actor="replay")


def _use_the_loop(page, path: str) -> None:
    """On the desk: a refused move (the dispatch choices follow the case); on the phone: take, a photo, a report
    back, a position, a new case and a visit (each sends its callback)."""
    if path.startswith("/cases"):
        page.click("#desk-do-merge", force=True)
        _settle(page, path)
        return
    page.click("#m-do-take", force=True)
    _settle(page, path)
    page.locator("#m-photos input[type=file]").set_input_files(
        files=[{"name": "x.png", "mimeType": "image/png", "buffer": PNG_1PX}]
    )
    page.click("#m-do-report_back", force=True)
    _settle(page, path)
    page.evaluate("document.querySelectorAll('.m-page details').forEach(d => d.open = true)")
    for button, answer in (("#m-visit", "#m-visit-msg"), ("#m-locate", "#m-where"), ("#m-submit", "#m-new-msg")):
        page.locator(button).click()  # each answers in its message (refused here: nothing chosen)
        page.wait_for_function(f"document.querySelector('{answer}').innerText.length > 0", timeout=30_000)
    _settle(page, path)


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def app(city):
    """One app for the replays (each signs in a client of its own)."""
    return create_app(city)


def test_the_capture_covers_every_server_callback(app, captured):
    server_side = {
        (prefix, key)
        for prefix, dash_app in (("/", app), ("/wall/", app.wall_app))
        for key, spec in dash_app.callback_map.items()
        if spec.get("callback") is not None
    }
    seen = {(prefix, body["output"]) for prefix, body in captured}
    missing = server_side - seen
    assert not missing, f"callbacks never sent by the pages: {sorted(missing)}"


@pytest.mark.parametrize("username", [user[0] for user in DEMO_USERS])
def test_replayed_requests_with_other_jurisdictions_ids_leak_nothing(
    app, captured, world, scopes, foreign_draft, username
):
    client = signed_in_client(app, username)
    role, scope = next((role, scope) for name, _n, role, scope, _p in DEMO_USERS if name == username)
    home = scopes[scope] if scope else None
    visible = world.below(home) | world.above(home)
    visible_names = {world.name[c] for c in visible if world.name.get(c)}
    targets = _foreign_targets(world, home) or [None]  # a whole-database user: permissions only
    refused = answered = 0
    for prefix, body in _distinct(captured):
        for target in targets:
            replayed = _retarget(body, target, foreign_draft, world.case_in(target)) if target else body
            response = client.post(prefix + CALLBACK, json=replayed)
            SEEN["requests"] += 1
            permitted = _permitted(app, prefix, body["output"], role)
            if not permitted:
                assert response.status_code == 403, (username, body["output"])
                refused += 1
                continue
            assert response.status_code in (200, 204), (username, body["output"], response.status_code)
            answered += 1
            text = response.get_data(as_text=True)
            _assert_no_pseudonym_outside(text, world, home, role, (username, body["output"], target))
            if target:
                _assert_nothing_of(text, world, target, visible, visible_names, (username, body["output"]))
    assert answered > 0
    if role != "admin":
        assert refused > 0  # every role but the administrator lacks some callback


def test_a_request_inside_the_jurisdiction_does_return_its_data(app, captured, world, scopes):
    """The positive control: the same replay, with an id inside, shows that unit's children,
    so the leak test above cannot pass by answering nothing."""
    client = signed_in_client(app, "township")
    draw = next(
        body
        for prefix, body in captured
        if prefix == "/" and "areas.data" in body["output"] and body["inputs"][0].get("value")  # a unit named
    )
    community = world.of_kind("area4", scopes["township"], set())
    response = client.post("/" + CALLBACK, json=_retarget(draw, community, None)).get_data(as_text=True)
    children = world.children[community]
    assert children and all(child in response for child in children)


def test_aggregated_roles_never_receive_a_key_person(city, browser, world, scopes):
    """Every response the browser receives while a leader, a grid worker, a planner and the
    wall walk the pages: no pseudonym, no field of a key person's record."""
    scanned = 0
    for base in serve(city):
        for username in ("leader", "township", "gridworker", "planner", "wall"):
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=True)
            bodies = []
            page.on("response", lambda response, bodies=bodies: bodies.append(_body(response)))
            sign_in(page, base, username)
            for path in _walk_for(username, world, scopes):
                open_path(page, base, path)
                _settle(page, path)
            page.close()
            for text in bodies:
                scanned += 1
                assert not PSEUDONYM.search(text) or not set(PSEUDONYM.findall(text)) & world.all_pseudonyms, username
                assert "pseudonym" not in text and "care_level" not in text, username
    SEEN["payloads"] += scanned
    assert scanned > 50


def test_report_the_counts(captured):
    """Printed for the closing note (pytest -s): requests replayed and payloads scanned."""
    print(f"\nreplay: {len(captured)} captured, {len(_distinct(captured))} distinct; {dict(SEEN)}")
    assert SEEN["requests"] > 0


def _foreign_targets(world: World, home: str | None) -> list[str]:
    """Ids outside the jurisdiction of `home`: its parent, a sibling of each kind above it,
    and a grid, micro-grid and building in another county."""
    if home is None:
        return []
    inside = world.below(home)
    parent = world.parent.get(home)
    targets = [parent] if parent else []
    sibling = next((c for c in sorted(world.children.get(parent, [])) if c != home), None)
    targets += [sibling] if sibling else []
    county = world.other_county(home)
    for kind in ("area3", "area4", "grid", "micro_grid", "building"):
        found = world.of_kind(kind, county, inside | {county})
        targets += [found] if found else []
    return [t for t in dict.fromkeys(targets) if t and t not in inside]


def _assert_nothing_of(text: str, world: World, target: str, visible: set, visible_names: set, where) -> None:
    leaked_codes = (set(TOKEN.findall(text)) & (world.below(target) - {target})) - visible
    assert not leaked_codes, (where, target, sorted(leaked_codes)[:5])
    names = {world.name[c] for c in world.below(target) if world.kind[c] != "building" and world.name.get(c)}
    leaked_names = [name for name in names - visible_names if name in text]
    assert not leaked_names, (where, target, leaked_names[:5])


def _assert_no_pseudonym_outside(text: str, world: World, home: str | None, role: str, where) -> None:
    found = set(PSEUDONYM.findall(text)) & world.all_pseudonyms
    if not found:
        return
    assert role == "key_person_officer", where
    allowed = {p for b in world.below(home) for p in world.persons.get(b, [])}
    assert found <= allowed, (where, sorted(found - allowed)[:3])


def _retarget(body: dict, target: str, draft: int | None, case: tuple[int, str] | None = None) -> dict:
    """The body with every unit code, scope and community in its values replaced by `target`,
    a draft id by `draft`, and a case (its code in an address, a page's id and code) by
    `case`, one inside `target`."""
    replayed = copy.deepcopy(body)
    for item in replayed.get("inputs", []) + replayed.get("state", []):
        for part in item if isinstance(item, list) else [item]:
            if isinstance(part, dict) and "value" in part:
                part["value"] = _swap(part["value"], target, draft, case)
    return replayed


def _swap(value, target: str, draft, case=None):
    if isinstance(value, str):
        value = re.sub(r"([?&](?:u|scope|c)=)[^&]*", lambda m: m.group(1) + target, value)
        value = re.sub(r"([?&]draft=)\d+", lambda m: m.group(1) + str(draft or 0), value)
        if case:
            value = re.sub(r"([?&]case=)[^&]*", lambda m: m.group(1) + case[1], value)
        return target if TOKEN.fullmatch(value) else value
    if isinstance(value, dict):
        swapped = {key: _swap(item, target, draft, case) for key, item in value.items()}
        if "c" in swapped:
            swapped["c"] = target
        if "draft" in swapped and swapped["draft"] is not None:
            swapped["draft"] = draft
        if "scope" in swapped:
            swapped["scope"] = target
        if case and {"id", "version", "code"} <= swapped.keys():  # the desk's and the phone's case
            swapped["id"], swapped["code"] = case
        return swapped
    if isinstance(value, list):
        return [_swap(item, target, draft, case) for item in value]
    return value


def _permitted(app, prefix: str, output: str, role: str) -> bool:
    from dashboard.access import SIGNED_IN, permission_of

    permission = permission_of(prefix, output)
    return permission == SIGNED_IN or permission in PERMISSIONS[role]


def _distinct(captured) -> list[tuple[str, dict]]:
    seen, kept = set(), []
    for prefix, body in captured:
        key = (prefix, body["output"], json.dumps(body.get("inputs"), sort_keys=True))
        if key not in seen:
            seen.add(key)
            kept.append((prefix, body))
    return kept


def _keep(request, bodies: list) -> None:
    if request.method == "POST" and CALLBACK in request.url:
        prefix = "/wall/" if "/wall/" in request.url else "/"
        bodies.append((prefix, json.loads(request.post_data)))


def _body(response) -> str:
    try:
        return response.text() if response.request.resource_type in ("xhr", "fetch", "document") else ""
    except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body to scan
        return ""


def _settle(page, path: str) -> None:
    """Until the page's requests have been sent and answered (the map need not be at rest: what
    is scanned and replayed are the callbacks)."""
    if path.startswith("/wall"):  # never quiet: it asks for its change stamp every 250 ms
        page.wait_for_selector(".wall-kpis .tile", timeout=30_000)
        page.wait_for_timeout(2000)
        return
    for _ in range(2):
        page.wait_for_timeout(300)
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading]')")


def _walk_for(username: str, world: World, scopes: dict) -> list[str]:
    scope = next(scope for name, _n, _r, scope, _p in DEMO_USERS if name == username)
    home = scopes[scope] if scope else world.parent[scopes["county"]]
    grid = world.of_kind("grid", home, set())
    building = world.of_kind("building", grid, set())
    paths = [f"/?u={home}&m=persons", f"/?u={grid}&layers=cases", f"/?u={building}"]
    if username == "wall":
        paths.append("/wall/?tour=0")
    if username == "planner":
        paths.append(f"/boundaries?c={world.parent[grid]}")
    return paths
