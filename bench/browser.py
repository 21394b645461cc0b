"""Measuring the safety map as a browser sees it: what each view and drill step fetches
(decoded bytes of every data response: callbacks, tiles, the heat image) and how long the
server worked on it (its Server-Timing header). Used by the benchmark and the browser tests.

The page's JavaScript and CSS bundles and its layout are fetched once per page load and are
not a view's data; they are reported apart as `shell`."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from playwright.sync_api import sync_playwright

from bench.suites import demo_database
from geo import clock
from geo.auth.demo import DEMO_PASSWORDS, create_demo_users
from geo.db.connection import connect
from geo.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home, refused here.
CHROMIUM_FLAGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]

# True when the map has stopped moving and the basemap shows one zoom level, its own, all loaded.
MAP_AT_REST = """async () => {
    const pane = () => document.querySelector('.leaflet-map-pane').style.transform
        + document.querySelector('.leaflet-proxy')?.style.transform;
    const before = pane();
    await new Promise(resolve => setTimeout(resolve, 300));
    const tiles = [...document.querySelectorAll('img.leaflet-tile')];
    const levels = [...document.querySelectorAll('.leaflet-tile-container')].filter(l => l.children.length);
    // A level drawn at the map's own zoom is scaled by at most 2^±0.5 (zoom snaps to 0.25).
    const scale = levels.length === 1 ? Number((levels[0].style.transform.match(/scale\\(([^)]+)\\)/) || [0, 1])[1]) : 0;
    return pane() === before && scale > 0.7 && scale < 1.42
        && tiles.every(t => t.complete && t.classList.contains('leaflet-tile-loaded'));
}"""

# A drill step as a click makes it: the URL's query changes in the page, without a reload.
GO_TO = """search => {
    window.history.pushState({}, '', search);
    window.dispatchEvent(new PopStateEvent('popstate', {state: {}}));
}"""

UNIT_SHOWN = "code => (document.querySelector('#panel-heading .hint')?.textContent || '').includes(code)"

SERVER_TIMING = re.compile(r"dur=([0-9.]+)")


def settle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the chain of callbacks a change starts (URL → stores → views) has ended and
    the map has flown to its place."""
    for _ in range(2):
        page.wait_for_timeout(250)
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        page.wait_for_function("() => !document.querySelector('[data-dash-is-loading]')", timeout=timeout_ms)
    # The flight to a new viewport starts a frame or two after the callbacks' answers: give
    # it time to start (ten frames and more), or the map would look at rest before it has moved.
    page.wait_for_timeout(300)
    page.wait_for_function(MAP_AT_REST, timeout=timeout_ms)


def kind_of(url: str) -> str:
    """callback, tiles, heat or shell (bundles, layout, the page itself)."""
    if "/_dash-update-component" in url:
        return "callback"
    if "/map/tiles/" in url:
        return "tiles"
    if "/map/heat.png" in url:
        return "heat"
    return "shell"


@dataclass
class Step:
    """What one view or drill step fetched."""

    name: str
    bytes_by_kind: dict = field(default_factory=lambda: defaultdict(int))
    requests_by_kind: dict = field(default_factory=lambda: defaultdict(int))
    server_ms: list = field(default_factory=list)
    server_ms_by_kind: dict = field(default_factory=lambda: defaultdict(float))
    requests: list = field(default_factory=list)  # (kind, url, body or None)

    @property
    def data_kb(self) -> float:
        return sum(n for kind, n in self.bytes_by_kind.items() if kind != "shell") / 1024

    @property
    def server_total_ms(self) -> float:
        return sum(self.server_ms)


class NetworkLog:
    """Decoded sizes and server times of a page's responses, read from Chromium's DevTools
    protocol (the sizes Playwright reports are the compressed ones)."""

    def __init__(self, page):
        self._urls, self._bodies, self._timing = {}, {}, {}
        self._bytes = defaultdict(int)
        self._finished = []
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on(
            "Network.dataReceived",
            lambda e: self._bytes.__setitem__(e["requestId"], self._bytes[e["requestId"]] + e["dataLength"]),
        )
        cdp.on("Network.loadingFinished", lambda e: self._finished.append(e["requestId"]))
        self._cdp = cdp

    def _on_request(self, event) -> None:
        self._urls[event["requestId"]] = event["request"]["url"]
        if event["request"].get("postData"):
            self._bodies[event["requestId"]] = event["request"]["postData"]

    def _on_response(self, event) -> None:
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        match = SERVER_TIMING.search(headers.get("server-timing", ""))
        self._timing[event["requestId"]] = float(match.group(1)) if match else 0.0

    def take(self, name: str) -> Step:
        """The responses finished since the last take, as one Step."""
        step = Step(name)
        finished, self._finished = self._finished, []
        for request_id in finished:
            url = self._urls.get(request_id, "")
            kind = kind_of(url)
            step.bytes_by_kind[kind] += self._bytes.get(request_id, 0)
            step.requests_by_kind[kind] += 1
            if kind != "shell":
                step.server_ms.append(self._timing.get(request_id, 0.0))
                step.server_ms_by_kind[kind] += self._timing.get(request_id, 0.0)
                step.requests.append((kind, url, self._bodies.get(request_id)))
        return step


def walk(page, base_url: str, path: list[str], query: str = "") -> list[Step]:
    """Open the page on the first unit of `path`, then drill through the rest; one Step each.
    `query` holds further URL values (layers, filters) kept through the walk."""
    log = NetworkLog(page)
    steps = []
    for index, code in enumerate(path):
        search = "?" + "&".join(part for part in (f"u={code}" if code else "", query) if part)
        if index == 0:
            page.goto(base_url + search)
        else:
            page.evaluate(GO_TO, search)
        # The heading names the unit once the step's shapes and viewport arrived; only then
        # can the map's flight begin, and settle() wait for its end.
        page.wait_for_function(UNIT_SHOWN, arg=code or "", timeout=60_000)
        settle(page)
        page.wait_for_timeout(300)
        steps.append(log.take(code or "root"))
    return steps


@contextmanager
def serving(url: str, **settings: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m dashboard` (gunicorn, as `make demo` runs it) on database `url` and a free
    port, with further SAFETY_MAP_* `settings` (e.g. DASH_WORKERS="2"); yields its base URL
    and process once it answers, and stops it afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")}
    env.update(DATABASE_URL=url, SAFETY_MAP_DASH_PORT=str(port))
    env.update({f"SAFETY_MAP_{name}": value for name, value in settings.items()})
    command = [sys.executable, "-m", "dashboard"]
    add_demo_users(url)
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    host = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_answering(host, process)
        yield host, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def add_demo_users(url: str) -> None:
    """The demo users (one per role) in database `url`, for signing in."""
    with connect(url) as conn:
        create_demo_users(conn, "measure")


def sign_in(page, base: str, username: str = "admin", then: str = "") -> None:
    """Sign `page` in as a demo user through the login form, then open `then` (a path)."""
    page.goto(base.rstrip("/") + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORDS[username])
    with page.expect_navigation():
        page.click("button[type=submit]")
    if then:
        page.goto(base.rstrip("/") + then)


def _wait_until_answering(host: str, process: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(host, timeout=2)
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"the dashboard stopped: {process.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.5)
    raise RuntimeError(f"the dashboard did not answer within {timeout_s:.0f} s")


@contextmanager
def chromium() -> Iterator:
    """Debian's headless Chromium through Playwright (as root without its sandbox)."""
    args = (["--no-sandbox"] if os.geteuid() == 0 else []) + CHROMIUM_FLAGS
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def scored_database(scale: str, given: str | None, name: str) -> Iterator[str]:
    """`given` as it is, or a scratch database `name` holding the demo of `scale` scored as of
    today, dropped afterwards."""
    if given:
        yield given
        return
    from geo.risk.config import load_config
    from geo.risk.store import run_full

    with demo_database(scale, name) as (url, seconds):
        with connect(url) as conn:
            run_full(conn, clock.today(), load_config())
        print(f"{scale} demo loaded in {seconds:.0f} s and scored", flush=True)
        yield url
