"""The first view after sign-in, as `python -m bench.dashboard` measures it: how long until the
first map is drawn and how many decoded bytes came before it, against the whole first view
(its charts drawn too) measured on the same pages.

Each page is a fresh one (its own cache), signed in without opening the dashboard; the clock
is the page's own (`performance.now()`, from the start of its navigation), and the bytes are
the decoded bodies of the resources that had arrived by then (Resource Timing)."""

import statistics
import time

from bench.browser import MAP_AT_REST

PAGES = 5
# The map's areas drawn: a path or a canvas in the overlay pane of the main map.
FIRST_MAP = """() => document.querySelector('#map .leaflet-overlay-pane path, #map .leaflet-overlay-pane canvas')
    ? performance.now() : false"""
# The first map at rest: drawn, landed at its unit and its basemap tiles loaded (the
# predicate waits 300 ms to see it still).
MAP_READY = f"""async () => document.querySelector('#map .leaflet-overlay-pane path, #map .leaflet-overlay-pane canvas')
    && await ({MAP_AT_REST})() ? performance.now() - 300 : false"""
# The whole first view: the panel's charts drawn by plotly.
WHOLE_VIEW = "() => document.querySelector('#category-chart .main-svg') ? performance.now() : false"
ARRIVED = """limit => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
    .filter(e => e.responseEnd <= limit).reduce((sum, e) => sum + e.decodedBodySize, 0)"""


def map_ready_at(page, timeout_s: float = 60) -> float:
    """The page's time at which its first map came to rest (asked until it has: the predicate
    is asynchronous, which wait_for_function takes as met at once)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        at = page.evaluate(MAP_READY)
        if at:
            return at
    raise TimeoutError("the first map did not come to rest")


def first_view_lines(browser, host: str, signed_in_page) -> list[str]:
    """Medians over PAGES fresh pages: the first map drawn, the first map at rest with its
    tiles and the bytes before it, against the whole first view (its charts drawn too)."""
    drawn, ready, whole, ready_bytes, whole_bytes = [], [], [], [], []
    for _ in range(PAGES):
        page = signed_in_page(browser, host)
        page.goto(host)
        drawn.append(page.wait_for_function(FIRST_MAP, timeout=60_000, polling=10).json_value())
        ready.append(map_ready_at(page))
        whole.append(page.wait_for_function(WHOLE_VIEW, timeout=60_000, polling=10).json_value())
        ready_bytes.append(page.evaluate(ARRIVED, ready[-1]) / 2**20)
        whole_bytes.append(page.evaluate(ARRIVED, whole[-1]) / 2**20)
        page.close()
    at_rest, complete = statistics.median(ready), statistics.median(whole)
    ready_mb, whole_mb = statistics.median(ready_bytes), statistics.median(whole_bytes)
    return [
        f"  first view, medians of {PAGES} fresh pages: the map's areas drawn at {statistics.median(drawn):.0f} ms; "
        f"the map at rest with its tiles at {at_rest:.0f} ms (range {min(ready):.0f}-{max(ready):.0f}) "
        f"after {ready_mb:.2f} MB decoded",
        f"    baseline, the whole first view (charts drawn) on the same pages: {complete:.0f} ms after "
        f"{whole_mb:.2f} MB; the map at rest at {at_rest / complete:.2f}x its time and {ready_mb / whole_mb:.2f}x its bytes",
    ]
