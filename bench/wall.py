"""`python -m bench.wall`: the live wall screen in a headless Chromium, served as
`make demo` serves it (gunicorn), its database reached through a relay that can cut it.

- latency: cases inserted one by one (each its own transaction, as `python -m data.demo simulate`
  does); from each commit until the browser draws it; p50, p95 and max with the push (the
  database's notice, geo/live/changes.py) against the goal (p95 <= 1 s), and against the
  baseline of a look every second without it (`?push=0&poll=1000`, the wall before the push);
- tiles: the basemap tiles a touring wall asks for in a minute, and how many of them reach the
  server (the rest come from the browser's cache);
- outage: the connections to the database cut for 15 s, then (when the project runs its own
  PostgreSQL) the server itself stopped for 15 s and started; how long until the wall says
  so, and how long after the database returns until the wall is live again (goal: 10 s);
- endurance: N refresh cycles (a look every 200 ms, a case a second coming in); the page's JS
  heap after a garbage collection and the server workers' memory, at the start and the end.
"""

import argparse
import os
import statistics
import subprocess
import time

import numpy as np

from bench.browser import chromium, scored_database, serving, sign_in
from bench.outage import Relay, relayed
from data.demo.simulate import draw_case, hot_buildings, insert_and_place
from geo.db.cluster import LocalCluster
from geo.db.connection import transaction
from geo.settings import get_settings

LATENCY_GOAL_S, RECOVERY_GOAL_S = 1.0, 10.0
BASELINE_PATH = "wall/?tour=0&push=0&poll=1000"  # the wall as it was: a look every second, no push
TOUR_MINUTE_PATH = "wall/?tour=5"  # a fast tour: twelve moves of the view in the minute measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wall", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a loaded and scored database (default: a scratch demo city)")
    parser.add_argument("--cases", type=int, default=20, help="cases for the latency (default 20)")
    parser.add_argument("--cycles", type=int, default=500, help="refresh cycles of the endurance run (default 500)")
    parser.add_argument(
        "--arrival-every", type=int, default=5, help="a case every this many cycles of the endurance run; 0: none"
    )
    args = parser.parse_args(argv)
    name = f"safety_map_wall_bench_{os.getpid()}"
    with scored_database("city", args.database, name) as url, relayed(url) as (relay, relayed_url):
        lines = _measure(url, relay, relayed_url, args)
    print("\n".join(lines), flush=True)
    return 0


def _measure(url: str, relay: Relay, relayed_url: str, args) -> list[str]:
    with serving(relayed_url) as (host, server), chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        sign_in(page, host)  # the admin has the wall's permission
        rng, buildings = _buildings(url)
        _open(page, host + BASELINE_PATH)
        baseline = _delays(page, url, rng, buildings, args.cases)
        _open(page, host + "wall/?tour=0")
        lines = [_latency(_delays(page, url, rng, buildings, args.cases), baseline), _outage(page, relay)]
        lines.append(_restart(page))
        lines.append(_tiles(browser, host))
        page.goto(host + "wall/?tour=0&poll=200")
        return lines + _endurance(page, server, url, rng, buildings, args.cycles, args.arrival_every)


def _open(page, address: str) -> None:
    """Open the wall and wait for its first look (what it finds then is not new)."""
    page.goto(address)
    page.wait_for_function("() => document.querySelectorAll('.wall-kpis .tile').length === 6", timeout=60_000)
    page.wait_for_function("() => (document.querySelector('#wall-age')?.textContent || '') !== ''", timeout=60_000)


def _delays(page, url: str, rng, buildings, count: int) -> list[float]:
    """Seconds from each case's commit until the wall draws it, `count` cases."""
    delays = []
    for number in range(count):
        case_id = _insert(url, rng, buildings, f"WALLBENCH{time.time_ns()}{number}")
        started = time.monotonic()
        page.wait_for_selector(f'.live-new [data-id="{case_id}"]', state="attached", timeout=30_000)
        delays.append(time.monotonic() - started)
        time.sleep(float(rng.uniform(0.2, 1.2)))  # arrivals at random phases of the poll
    return delays


def _latency(delays: list[float], baseline: list[float]) -> str:
    p95, base_p95 = _p95(delays), _p95(baseline)
    return (
        f"latency insert -> visible, {len(delays)} cases: p50 {statistics.median(delays):.2f} s, "
        f"p95 {p95:.2f} s, max {max(delays):.2f} s (goal p95 <= {LATENCY_GOAL_S:.0f} s: "
        f"{'met' if p95 <= LATENCY_GOAL_S else 'NOT met'}); baseline, a look every second without the push: "
        f"p50 {statistics.median(baseline):.2f} s, p95 {base_p95:.2f} s, max {max(baseline):.2f} s "
        f"(p95 {p95 / base_p95:.2f}x the baseline's)"
    )


def _from_cache(event) -> bool:
    response = event["response"]
    return bool(response.get("fromDiskCache") or response.get("fromMemoryCache") or response.get("fromPrefetchCache"))


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def _tiles(browser, host: str) -> str:
    """Basemap tiles asked for during a minute of a fast tour, and how many reached the server
    (Chromium's own count: the DevTools protocol's network events)."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    sign_in(page, host)
    _open(page, host + TOUR_MINUTE_PATH)
    client = page.context.new_cdp_session(page)
    client.send("Network.enable")
    asked, cached = set(), set()
    client.on("Network.requestWillBeSent", lambda e: "/map/tiles/" in e["request"]["url"] and asked.add(e["requestId"]))
    client.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    client.on("Network.responseReceived", lambda e: _from_cache(e) and cached.add(e["requestId"]))
    page.wait_for_timeout(60_000)
    page.close()
    served = len(asked - cached)
    return f"tiles in a minute of a 5 s tour (12 views): {len(asked)} asked for, {served} reached the server"


def _outage(page, relay: Relay) -> str:
    noticed, recovered = _down_and_back(page, relay.cut, relay.restore)
    return (
        f"outage (connections cut): announced {noticed:.1f} s after the cut; live again {recovered:.1f} s "
        f"after the database returned (goal <= {RECOVERY_GOAL_S:.0f} s: {_verdict(recovered)})"
    )


def _restart(page) -> str:
    """The project's own PostgreSQL stopped for 15 s and started again (only when it runs the
    database: a server given by DATABASE_URL is someone else's). Everything else on that
    server is cut off meanwhile: run the benchmark alone, as `make bench` does."""
    settings = get_settings()
    if settings.database_url:
        return "restart: skipped (DATABASE_URL names a server this benchmark does not own)"
    cluster = LocalCluster.from_settings(settings)
    noticed, recovered = _down_and_back(page, cluster.stop, cluster.start)
    return (
        f"restart (PostgreSQL stopped 15 s): announced {noticed:.1f} s after the stop; live again "
        f"{recovered:.1f} s after it accepted connections (goal <= {RECOVERY_GOAL_S:.0f} s: {_verdict(recovered)})"
    )


def _down_and_back(page, take_down, bring_back) -> tuple[float, float]:
    """(seconds until the wall says the data stopped, seconds from the database's return until
    the wall is live again), with the database away for 15 s."""
    take_down()
    try:
        started = time.monotonic()
        page.wait_for_function(
            "() => (document.querySelector('#wall-banner')?.textContent || '') !== ''", timeout=30_000, polling=50
        )
        noticed = time.monotonic() - started
        time.sleep(max(0.0, 15 - noticed))
    finally:
        bring_back()  # whatever happened, the database is not left down
    started = time.monotonic()
    page.wait_for_function(
        "() => (document.querySelector('#wall-banner')?.textContent || '') === ''", timeout=120_000, polling=50
    )
    return noticed, time.monotonic() - started


def _verdict(recovered_s: float) -> str:
    return "met" if recovered_s <= RECOVERY_GOAL_S else "NOT met"


def _endurance(page, server, url: str, rng, buildings, cycles: int, arrival_every: int) -> list[str]:
    page.wait_for_function("() => document.querySelectorAll('.wall-kpis .tile').length === 6", timeout=60_000)
    client = page.context.new_cdp_session(page)
    client.send("Performance.enable")
    marks, inserted = [], 0
    started = time.monotonic()
    for cycle in range(cycles + 1):
        if cycle in (0, cycles // 2, cycles):
            marks.append((cycle, _heap_mb(client), _server_mb(server)))
        if arrival_every and cycle and cycle % arrival_every == 0:  # 5: a case a second at 200 ms a look
            _insert(url, rng, buildings, f"WALLBENCH{time.time_ns()}")
            inserted += 1
        time.sleep(max(0.0, started + (cycle + 1) * 0.2 - time.monotonic()))
    lines = [f"endurance: {cycles} refresh cycles (200 ms), {inserted} cases inserted meanwhile"]
    for cycle, heap, rss in marks:
        lines.append(f"  cycle {cycle:>4}: JS heap {heap:6.1f} MB, server workers {rss:7.1f} MB")
    (_, heap0, rss0), (_, heap1, rss1) = marks[0], marks[-1]
    lines.append(f"  end against start: JS heap {heap1 / heap0:.2f}x, server {rss1 / rss0:.2f}x")
    return lines


def _heap_mb(client) -> float:
    client.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in client.send("Performance.getMetrics")["metrics"]}
    return metrics["JSHeapUsedSize"] / 2**20


def _server_mb(server: subprocess.Popen) -> float:
    """Resident memory of the gunicorn master and its workers."""
    pids = [server.pid] + [
        int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    ]
    total_kb = 0
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            total_kb += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return total_kb / 1024


def _buildings(url: str):
    with transaction(url) as conn:
        return np.random.default_rng(42), hot_buildings(conn, None)


def _insert(url: str, rng, buildings, code: str) -> int:
    """Insert and place one case in a transaction of its own; return its id once committed."""
    with transaction(url) as conn:
        case_id = insert_and_place(conn, draw_case(rng, buildings, code))["id"]
    return case_id


if __name__ == "__main__":
    raise SystemExit(main())
