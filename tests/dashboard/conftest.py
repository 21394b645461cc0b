"""A real headless Chromium (Debian's package), the app served in a thread, and signing in as
one of the demo users (one per role, geo/auth/demo.py)."""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bench.browser import CHROMIUM, add_demo_users, chromium, sign_in  # noqa: F401 - for the tests
from dashboard.app import create_app
from dashboard.login_page import form_fields
from geo.auth.demo import DEMO_PASSWORDS
from geo.settings import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "screenshots"


def serve(url: str):
    """Serve the app on database `url` on a free port, with the demo users; yields its base URL."""
    add_demo_users(url)
    server = make_server("127.0.0.1", 0, create_app(url).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


def signed_in_client(app, username: str = "admin"):
    """A Flask test client of `app` signed in as a demo user."""
    client = app.server.test_client()
    response = post_login(client, username, DEMO_PASSWORDS[username])
    assert response.status_code == 302, f"{username} could not sign in"
    return client


def post_login(client, username: str, password: str, next_page: str = ""):
    """The sign-in form posted by a Flask test client, with the token of a fresh form."""
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data=form_fields(page, username, password, next_page))


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is required (make test installs it)"
    with chromium() as instance:
        yield instance


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


# What a dcc.Link does: a new address, then the event Dash's dcc.Location listens for.
SAME_APP_MOVE = "a => { history.pushState({}, '', a); dispatchEvent(new CustomEvent('_dashprivate_pushstate')); }"


def open_path(page, base: str, path: str) -> None:
    """Open `path` as the page's own links would when it is in the same Dash app as the page
    shows (no reload of the scripts: seconds a page in a walk), else load it."""
    here = page.url.split("?")[0].rstrip("/").removeprefix(base.rstrip("/"))
    same_app = page.url.startswith(base) and not here.startswith("/wall") and not path.startswith("/wall")
    if same_app and here != "/login":
        page.evaluate(SAME_APP_MOVE, path)
    else:
        page.goto(base.rstrip("/") + path)
