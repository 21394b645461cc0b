"""`python -m bench.dashboard`: the safety map as a leader's browser gets it, at city and
province scale, and under load. `make bench` runs it after `python -m bench`.

For each scale, in a scratch database holding the demo (or `--database`, already loaded and
scored), with the dashboard served as `make demo` serves it (gunicorn):
- a headless Chromium opens the city and drills down to a building through the busiest unit
  of each level; per view it counts the decoded bytes of every data response (callbacks,
  tiles, heat image) and sums the server time of those responses (their Server-Timing),
  once with the default layers and once with every layer on; plus one filter change;
- the same views' callbacks replayed one at a time on a freshly started server (its caches
  cold as on the first pass): the work of each view apart from the contention of the page's
  requests arriving at once on cores the browser shares;
- baseline, measured in the same run: all basic grids as one raw GeoJSON (the full-layer
  dump the page never sends), its size and query time;
- a load test: simulated leaders (locust, `bench/loadtest.py`) replaying the recorded
  drill steps with other units and dates; errors and p50/p95 response times;
- the first view after sign-in: time to the first map and the decoded bytes before it,
  against the whole first view's (bench/first_view.py);
- the period figures from the daily case facts against the same counted from the cases
  (`bench/facts.py`).
At the end, each level's server time at province scale against city scale.
"""

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from bench.browser import GO_TO, SERVER_TIMING, NetworkLog, chromium, scored_database, serving, settle, walk
from bench.facts import figure_lines
from bench.first_view import first_view_lines
from dashboard import context
from dashboard.login_page import form_fields
from data.demo.scales import SCALES
from geo.auth.demo import DEMO_PASSWORDS
from geo.db.connection import connect
from geo.map import cases
from geo.map.filters import DEFAULT_DAYS, CaseFilter
from geo.settings import PROJECT_ROOT
from geo.shared.units import children_codes, find_unit, root_unit

ALL_LAYERS = "layers=heat,cases,places,cameras,centres"
BUDGET_KB = 300
ALTERNATIVES = 100
FULL_DUMP = """
SELECT octet_length(json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
    'type', 'Feature', 'geometry', ST_AsGeoJSON(geom)::json,
    'properties', json_build_object('code', code, 'name', name))))::text)
FROM grid_current WHERE is_basic
"""
SAMPLE = {
    "county": "SELECT code, geom FROM admin_area WHERE level = 2",
    "township": "SELECT code, geom FROM admin_area WHERE level = 3",
    "community": "SELECT code, geom FROM admin_area WHERE level = 4",
    "city": "SELECT code, geom FROM admin_area WHERE level = 1",
    "grid": "SELECT code, geom FROM grid_current WHERE is_basic",
    "micro_grid": "SELECT code, geom FROM micro_grid_current",
    "building": "SELECT code, footprint FROM building",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", nargs="+", choices=list(SCALES), default=["city", "province"])
    parser.add_argument("--database", help="measure this loaded and scored database instead (one scale)")
    parser.add_argument("--users", type=int, default=50, help="simulated leaders of the load test (default 50)")
    parser.add_argument("--seconds", type=int, default=300, help="length of the load test; 0 skips it (default 300)")
    args = parser.parse_args(argv)
    server_times = {}
    for scale in args.scale if not args.database else ["given"]:
        with (
            scored_database(scale, args.database, f"safety_map_mapbench_{os.getpid()}_{scale}") as url,
            serving(url) as (host, _process),
        ):
            lines, times = _measure(scale, url, host, args)
            server_times[scale] = times
            print("\n".join(lines), flush=True)
    if {"city", "province"} <= set(server_times):
        print("callbacks' server time of a view, province against city (1.0 = does not grow with the city):")
        for level, city_ms in server_times["city"].items():
            province_ms = server_times["province"].get(level)
            if province_ms is not None:
                print(
                    f"  {level:<10} {city_ms:7.0f} ms -> {province_ms:7.0f} ms  ({province_ms / max(city_ms, 1):.2f}x)"
                )
    return 0


def _measure(scale: str, url: str, host: str, args) -> tuple[list[str], dict]:
    with connect(url) as conn:
        path = _busiest_path(conn)
        dump_kb, dump_ms = _full_dump(conn)
    lines = [f"safety map, {scale} scale: drill path {' > '.join(str(u.code or 'all') for u in path)}"]
    with chromium() as browser:
        plain = walk(_signed_in_page(browser, host), host, [u.code for u in path])
        layered = walk(_signed_in_page(browser, host), host, [u.code for u in path], ALL_LAYERS)
        filtered = _filter_step(browser, host, path[1].code)
        alone = _one_at_a_time(browser, url, plain)
        first_view = first_view_lines(browser, host, _signed_in_page)
    lines.append(
        f"  {'view':<10} {'data KB':>8} {'callbacks':>9} {'tiles':>6} {'requests':>8} {'server ms':>9} {'callbacks':>9}"
        f" {'slowest':>8} | all layers: {'KB':>6} {'heat':>5} {'server ms':>9} | callbacks one at a time ms"
    )
    times = {}
    for unit, step, full, alone_ms in zip(path, plain, layered, alone, strict=True):
        requests = sum(n for k, n in step.requests_by_kind.items() if k != "shell")
        kb = {kind: n / 1024 for kind, n in step.bytes_by_kind.items()}
        lines.append(
            f"  {unit.kind:<10} {step.data_kb:8.1f} {kb.get('callback', 0):9.1f} {kb.get('tiles', 0):6.1f} {requests:8d}"
            f" {step.server_total_ms:9.0f} {step.server_ms_by_kind.get('callback', 0):9.0f} {max(step.server_ms, default=0):8.0f}"
            f" | {full.data_kb:17.1f} {full.bytes_by_kind.get('heat', 0) / 1024:5.1f} {full.server_total_ms:9.0f}"
            f" | {alone_ms:26.0f}"
        )
        # Tiles are drawn once and cached for every later view: the scale comparison is of
        # what each view computes, its callbacks.
        times[unit.kind] = step.server_ms_by_kind.get("callback", 0)
    lines.append(
        f"  filter change on the county view: {filtered.data_kb:.1f} KB, server {filtered.server_total_ms:.0f} ms"
    )
    largest = max(s.data_kb for s in [*plain, *layered, filtered])
    verdict = "within" if largest <= BUDGET_KB else "OVER"
    lines.append(f"  largest view {largest:.1f} KB: {verdict} the {BUDGET_KB} KB budget")
    lines.append(
        f"  baseline, all basic grids as one raw GeoJSON: {dump_kb:,.0f} KB in {dump_ms:.0f} ms; largest view is {largest / dump_kb:.3f} of it"
    )
    lines += first_view
    lines += figure_lines(url)
    if args.seconds:
        lines.append(_load_test(url, host, path, layered, args))
    return lines, times


def _busiest_path(conn) -> list:
    """From the root down to a building, each time into the child with most cases of the
    default date range."""
    end = context.default_end(conn)
    month = CaseFilter(end - dt.timedelta(days=DEFAULT_DAYS - 1), end)
    unit, path = root_unit(conn), [root_unit(conn)]
    while unit.kind != "building":
        counts = cases.child_case_counts(conn, unit, month, end)
        code = max(children_codes(conn, unit), key=lambda c: counts.get(c, {}).get("cases", 0))
        unit = find_unit(conn, code)
        path.append(unit)
    return path


def _full_dump(conn) -> tuple[float, float]:
    started = time.perf_counter()
    length = conn.execute(FULL_DUMP).fetchone()[0]
    return length / 1024, (time.perf_counter() - started) * 1000


def _signed_in_page(browser, host: str, username: str = "admin"):
    """A page of its own (own cookies, own cache) signed in as a demo user (the admin sees the
    whole city). It signs in through the login form with the page's own request context, whose
    cookies are the page's, without opening the dashboard: the first view measured is still the
    page's first, its tiles not yet in the browser's cache nor its answers in the server's."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    fields = form_fields(page.request.get(host + "login").text(), username, DEMO_PASSWORDS[username], "/")
    answer = page.request.post(host + "login", form=fields, max_redirects=0)
    if answer.status != 302 or "/login" in answer.headers.get("location", ""):
        raise RuntimeError(f"{username} could not sign in: {answer.status}")
    return page


def _one_at_a_time(browser, url: str, steps) -> list[float]:
    """Per view, the server ms of its callbacks (as recorded in `steps`) sent one after
    another to a dashboard started afresh, so its answers are not yet remembered."""
    totals = []
    with serving(url) as (host, _process):
        client = _signed_in_page(browser, host).request
        for step in steps:
            total = 0.0
            for kind, address, body in step.requests:
                if kind != "callback" or not body:
                    continue
                path = address.split("://", 1)[1].split("/", 1)[1]
                answer = client.post(host + path, data=body, headers={"Content-Type": "application/json"})
                if not answer.ok:
                    raise RuntimeError(f"a replayed callback failed: {answer.status} {answer.text()[:200]}")
                match = SERVER_TIMING.search(answer.headers.get("server-timing", ""))
                total += float(match.group(1)) if match else 0.0
            totals.append(total)
    return totals


def _filter_step(browser, host: str, county: str):
    page = _signed_in_page(browser, host)
    page.goto(f"{host}?u={county}")
    settle(page)
    log = NetworkLog(page)
    page.evaluate(GO_TO, f"?u={county}&st=open,overdue")
    settle(page)
    page.wait_for_timeout(300)
    return log.take("filter")


def _load_test(url: str, host: str, path, steps, args) -> str:
    plan = {"steps": []}
    with connect(url) as conn:
        for unit, step in zip(path, steps, strict=True):
            callbacks = [
                {"path": u.split(host.rstrip("/"), 1)[1], "body": b}
                for k, u, b in step.requests
                if k == "callback" and b
            ]
            plan["steps"].append(
                {
                    "level": unit.kind,
                    "code": unit.code,
                    "centre": [(unit.west + unit.east) / 2, (unit.south + unit.north) / 2],
                    "alternatives": _alternatives(conn, unit),
                    "callbacks": callbacks,
                    "tiles": [u for k, u, _ in step.requests if k == "tiles"],
                    "heat": [u for k, u, _ in step.requests if k == "heat"],
                }
            )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as file:
        json.dump(plan, file)
    command = [
        sys.executable,
        "-m",
        "bench.loadtest",
        file.name,
        host,
        "--users",
        str(args.users),
        "--seconds",
        str(args.seconds),
    ]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    os.unlink(file.name)
    if done.returncode != 0:
        return f"  load test failed: {done.stderr.strip().splitlines()[-1:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    goal = "met" if result["failures"] == 0 and result["p95_ms"] <= 1000 else "NOT met"
    return (
        f"  load test, {result['users']} leaders for {result['seconds']} s: {result['requests']:,} requests "
        f"({result['per_second']}/s), {result['failures']} errors, p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms, max {result['max_ms']:.0f} ms (goal 0 errors, p95 <= 1000 ms: {goal})"
        + (f"; errors: {result['errors']}" if result["errors"] else "")
        + "\n    p95 by request: "
        + ", ".join(f"{name} {entry['p95_ms']:.0f} ms" for name, entry in result["by_name"].items())
    )


def _alternatives(conn, unit) -> list:
    if unit.code is None or unit.kind not in SAMPLE:
        return []
    query = (
        f"SELECT code, ST_X(c), ST_Y(c) FROM ({SAMPLE[unit.kind]}) s(code, geom), "
        "LATERAL (SELECT ST_Centroid(geom) AS c) p ORDER BY random() LIMIT %s"
    )
    rows = conn.execute(query, [ALTERNATIVES]).fetchall()
    return [[code, [x, y]] for code, x, y in rows]


if __name__ == "__main__":
    random.seed(42)
    sys.exit(main())
