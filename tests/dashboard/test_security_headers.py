"""The security headers of the app's responses, through Flask's test client: a
Content-Security-Policy without inline scripts (but for Dash's own, by hash) on every page
and response, `no-store` on everything but the public static paths, nosniff, no framing."""

import base64
import hashlib
import re

import pytest

from dashboard.app import create_app
from geo.auth.users import save_user
from geo.db.connection import connect
from geo.shared.units import root_unit

PAGES = ("/", "/overview", "/data", "/boundaries", "/wall/", "/?u=nothing&layers=cases", "/login")
USER, PASSWORD = "headers-admin", "a long test password 7"


@pytest.fixture(scope="module")
def city(city_template, server_url):
    """A private copy of the small demo city with an administrator."""
    from tests.conftest import copy_database

    for url in copy_database(city_template, server_url):
        with connect(url) as conn:
            save_user(conn, USER, "Headers test", "admin", None, PASSWORD, "test")
        yield url


def sign_in(client) -> None:
    client.get("/login")
    with client.session_transaction() as session:
        csrf = session["login_csrf"]
    response = client.post("/login", data={"csrf": csrf, "username": USER, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "no-store" in response.headers["Cache-Control"] and "Content-Security-Policy" in response.headers


@pytest.fixture(scope="module")
def client(city):
    client = create_app(city).server.test_client()
    sign_in(client)
    return client


@pytest.fixture(scope="module")
def root_code(city) -> str:
    with connect(city) as conn:
        return root_unit(conn).code


def directives(response) -> dict[str, list[str]]:
    value = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in value.split(";") if part.strip()}


def inline_scripts(html: str) -> list[str]:
    """The inline scripts a browser would run (not JSON data, not IE's conditional comment)."""
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    return [body for attrs, body in scripts if "src=" not in attrs and "application/json" not in attrs]


def sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_a_strict_policy_that_allows_their_own_inline_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["script-src"][1:])
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    scripts = inline_scripts(response.get_data(as_text=True))
    assert path == "/login" and scripts == [] or any("DashRenderer" in script for script in scripts)
    for script in scripts:
        assert sha256(script) in policy["script-src"], script[:80]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_wall_and_the_map_clientside_callbacks_are_both_allowed(client):
    main = directives(client.get("/"))["script-src"]
    wall_scripts = inline_scripts(client.get("/wall/").get_data(as_text=True))
    assert len(wall_scripts) >= 2  # the wall's clientside callback and the renderer's start
    assert all(sha256(script) in main for script in wall_scripts)


def test_refusals_and_redirects_have_the_headers_too(city):
    anonymous = create_app(city).server.test_client()
    for response in (anonymous.get("/"), anonymous.get("/map/heat.png"), anonymous.post("/_dash-update-component")):
        assert response.status_code in (302, 401), response.status_code
        assert response.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_callback_responses_are_not_stored(client):
    body = {
        "output": "..map-page.style...overview-page.children..",
        "outputs": [{"id": "map-page", "property": "style"}, {"id": "overview-page", "property": "children"}],
        "inputs": [
            {"id": "url", "property": "pathname", "value": "/"},
            {"id": "lang-store", "property": "data", "value": "zh"},
        ],
        "changedPropIds": ["url.pathname"],
        "state": [{"id": "url", "property": "search", "value": ""}],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
    for path in ("/_dash-layout", "/_dash-dependencies", "/wall/_dash-layout", "/wall/_dash-dependencies"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_the_heat_image_is_not_stored(client, root_code):
    response = client.get(f"/map/heat.png?u={root_code}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/map/heat.png?u=nothing").headers["Cache-Control"] == "no-store"


def test_tiles_and_static_files_are_kept_by_the_browser(client):
    tile = client.get("/map/tiles/10/835/410.webp")
    assert tile.status_code == 200
    assert tile.headers["Cache-Control"].startswith("private, max-age=")  # the browser's, no shared proxy's
    assert tile.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/map/tiles/99/0/0.webp").headers["Cache-Control"] == "no-store"  # an error
    # The same for every signed-in user: not varying by the session cookie, so the browser
    # reuses it; a page does vary by it.
    assert "cookie" not in tile.headers.get("Vary", "").lower() and "Set-Cookie" not in tile.headers
    assert "cookie" in client.get("/").headers.get("Vary", "").lower()
    for path in ("/assets/safety_map.js", "/wall/assets/wall.js"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers.get("Cache-Control") != "no-store", path
    page = client.get("/").get_data(as_text=True)
    bundle = re.search(r'src="(/_dash-component-suites/[^"]+)"', page).group(1)
    assert client.get(bundle).headers.get("Cache-Control") != "no-store"


def test_the_walls_change_stamp_is_for_the_wall_only(city, client):
    stamp = client.get("/wall/changes")
    assert stamp.status_code == 200 and stamp.headers["Cache-Control"] == "no-store"
    assert set(stamp.get_json()) == {"stamp", "live"}
    anonymous = create_app(city).server.test_client()
    assert anonymous.get("/wall/changes").status_code in (302, 401)
