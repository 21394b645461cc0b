"""`python -m bench.loop`: the case loop measured on a scratch demo city served as `make demo`
serves it (gunicorn behind nginx), each against a baseline measured in the same run.

- intake: a burst of Open311 posts from 8 clients: posts a second, p50/p95 from the post to
  its answer, which comes after the case is placed and committed (the wall is nudged at its
  commit: `python -m bench.wall` measures from there); count in = count stored. Baseline: the same intake in process,
  one at a time, without HTTP.
- escalation: one run of the scheduler's job (case_escalate_due) now, and with every clock a
  month on (the most it can have to do), rolled back. Baseline: counting the open overdue
  cases it has to read. `--database` measures another database (the province's).
- desk: the dispatch desk's callbacks (the queue of every view, a case) sent by dispatchers
  while leaders drill the map (bench.dashboard's load test) for `--seconds`; p50/p95. Baseline:
  the same requests one at a time with nobody else on the server.
"""

import argparse
import datetime as dt
import hashlib
import json
import random
import secrets
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import requests

from bench.browser import chromium, scored_database, serving, sign_in, walk
from bench.dashboard import ALL_LAYERS, _busiest_path, _load_test, _signed_in_page
from dashboard.login_page import form_fields
from geo.auth.demo import DEMO_PASSWORDS
from geo.db.connection import app_database_url, connect
from geo.loop import intake
from geo.loop.desk import VIEWS

CALLBACK = "_dash-update-component"
CLIENTS = 8
OVERDUE = "SELECT count(*) FROM cases WHERE status <> 'closed' AND deadline < %s"
ESCALATE = "SELECT case_escalate_due(%s)"
GRID_POINTS = """SELECT ST_Y(p), ST_X(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM grid_current
WHERE is_basic ORDER BY random() LIMIT 200) g"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loop", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="measure the escalation on this database only (e.g. the province's)")
    parser.add_argument("--posts", type=int, default=1000, help="Open311 posts of the burst (default 1000)")
    parser.add_argument("--seconds", type=int, default=120, help="length of the desk's load test (default 120)")
    parser.add_argument("--leaders", type=int, default=50, help="leaders drilling the map meanwhile (default 50)")
    parser.add_argument("--dispatchers", type=int, default=5, help="dispatchers at the desk (default 5)")
    args = parser.parse_args(argv)
    if args.database:
        print("\n".join(_escalation(args.database)), flush=True)
        return 0
    with scored_database("city", None, "safety_map_loopbench") as url, serving(url) as (host, _process):
        for line in [*_escalation(url), *_intake(url, host, args.posts), *_desk(url, host, args)]:
            print(line, flush=True)
    return 0


def _escalation(url: str) -> list[str]:
    with connect(url) as conn:
        cases, now = conn.execute("SELECT count(*), now() FROM cases").fetchone()
        lines = [f"escalation ({cases:,} cases)"]
        for label, at in (("now", now), ("a month on", now + dt.timedelta(days=30))):
            base_ms, job_ms, moved = [], [], 0
            for _ in range(3):
                started = time.perf_counter()
                overdue = conn.execute(OVERDUE, [at]).fetchone()[0]
                base_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                moved = conn.execute(ESCALATE, [at]).fetchone()[0]
                job_ms.append((time.perf_counter() - started) * 1000)
                conn.rollback()
            job, base = statistics.median(job_ms), statistics.median(base_ms)
            lines.append(
                f"  {label:<11} {moved:7,} escalated of {overdue:,} open overdue: {job:8.1f} ms "
                f"(baseline, counting them: {base:.1f} ms; {job / max(base, 0.01):.1f}x)"
            )
    return lines


def _intake(url: str, host: str, posts: int) -> list[str]:
    code, key = f"bench_{secrets.token_hex(3)}", secrets.token_urlsafe(24)
    with connect(url) as conn, conn.transaction():
        conn.execute("INSERT INTO intake_source (code, name, key_hash, channel) VALUES (%s, %s, %s, 'hotline_12345')",
                     [code, "benchmark", hashlib.sha256(key.encode()).hexdigest()])  # fmt: skip
        points = conn.execute(GRID_POINTS).fetchall()
    in_process = []
    with psycopg.connect(app_database_url(url), autocommit=True) as conn:
        for lat, lon in points[:100]:
            started = time.perf_counter()
            with conn.transaction():
                intake.post(conn, key, "service_request", "基准测试 进程内", lon, lat)
            in_process.append((time.perf_counter() - started) * 1000)
    forms = [
        {"api_key": key, "service_code": "service_request", "lat": lat, "long": lon, "description": f"基准测试 {i}"}
        for i, (lat, lon) in enumerate(random.choices(points, k=posts))
    ]
    answers: list[tuple[int, float]] = []

    def send(share: list[dict]) -> None:
        with requests.Session() as session:
            for form in share:
                started = time.perf_counter()
                status = session.post(f"{host.rstrip('/')}/open311/v2/requests.json", data=form, timeout=60).status_code
                answers.append((status, (time.perf_counter() - started) * 1000))

    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(send, [forms[i::CLIENTS] for i in range(CLIENTS)]))
    seconds = time.perf_counter() - started
    with connect(url) as conn:
        stored, placed = conn.execute(
            """SELECT count(*), count(a.case_id) FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id
               WHERE c.intake_source = %s""",
            [code],
        ).fetchone()
    stored -= len(in_process)
    placed -= len(in_process)
    times = sorted(ms for _status, ms in answers)
    ok = sum(status == 201 for status, _ms in answers)
    base = statistics.median(in_process)
    return [
        f"intake: {posts:,} Open311 posts from {CLIENTS} clients in {seconds:.1f} s ({posts / seconds:.0f}/s)",
        f"  answered 201: {ok:,}; stored {stored:,}, placed {placed:,} (count in = count stored: "
        f"{'yes' if stored == posts == ok else 'NO'})",
        f"  post to placed and committed: p50 {_pct(times, 50):.0f} ms, p95 {_pct(times, 95):.0f} ms "
        "(then on the wall as `python -m bench.wall` measures)",
        f"  baseline, the intake in process one at a time: p50 {base:.1f} ms "
        f"(HTTP under {CLIENTS} clients: {_pct(times, 50) / base:.1f}x)",
    ]


def _desk(url: str, host: str, args) -> list[str]:
    bodies = _desk_requests(host)
    with connect(url) as conn:
        codes = [c for (c,) in conn.execute(
            "SELECT code FROM cases WHERE status <> 'closed' ORDER BY random() LIMIT 500")]  # fmt: skip
    alone = [_timed(_session(host), host, _vary(bodies, codes)) for _ in range(60)]
    alone_ms = sorted(ms for batch in alone for ms in batch)
    loaded: list[float] = []
    stop = threading.Event()

    def dispatcher() -> None:
        session = _session(host)
        while not stop.is_set():
            loaded.extend(_timed(session, host, _vary(bodies, codes)))
            stop.wait(random.uniform(1, 3))  # reading the case before the next

    with chromium() as browser, connect(url) as conn:
        path = _busiest_path(conn)
        steps = walk(_signed_in_page(browser, host), host, [u.code for u in path], ALL_LAYERS)
    workers = [threading.Thread(target=dispatcher) for _ in range(args.dispatchers)]
    for worker in workers:
        worker.start()
    args.users = args.leaders
    leaders = _load_test(url, host, path, steps, args)
    stop.set()
    for worker in workers:
        worker.join()
    loaded.sort()
    return [
        f"desk: {args.dispatchers} dispatchers (the queue of a view and a case, 1-3 s apart) while {args.leaders} "
        f"leaders drill the map for {args.seconds} s",
        f"  desk callbacks under load: {len(loaded):,}, p50 {_pct(loaded, 50):.0f} ms, p95 {_pct(loaded, 95):.0f} ms",
        f"  baseline, one at a time alone: p50 {_pct(alone_ms, 50):.0f} ms, p95 {_pct(alone_ms, 95):.0f} ms "
        f"(p95 under load {_pct(loaded, 95) / max(_pct(alone_ms, 95), 0.1):.1f}x)",
        leaders,
    ]


def _desk_requests(host: str) -> dict[str, dict]:
    """The desk's callback bodies as the page sends them, by output: recorded in Chromium."""
    bodies = {}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})

        def keep(request):
            if request.method == "POST" and CALLBACK in request.url:
                body = json.loads(request.post_data)
                if "desk-" in body["output"]:
                    bodies[body["output"]] = body

        page.on("request", keep)
        sign_in(page, host, "dispatcher", "/cases?view=open")
        page.wait_for_selector(".desk-table a", timeout=60_000)
        page.locator(".desk-table a").first.click()
        page.wait_for_selector(".desk-card", timeout=60_000)
        page.wait_for_timeout(1500)
    return bodies


def _vary(bodies: dict[str, dict], codes: list[str]) -> list[dict]:
    """The queue of a random view and a random open case (the page's own requests, other values)."""
    varied = []
    for output, body in bodies.items():
        body = json.loads(json.dumps(body))
        for item in body.get("inputs", []):
            if item.get("id") == "desk-view":
                item["value"] = random.choice(list(VIEWS))
            if item.get("id") == "desk-url" and codes:
                item["value"] = f"?case={random.choice(codes)}"
        if "desk-queue" in output or "desk-case" in output:
            varied.append(body)
    return varied


def _timed(session: requests.Session, host: str, bodies: list[dict]) -> list[float]:
    times = []
    for body in bodies:
        started = time.perf_counter()
        response = session.post(f"{host.rstrip('/')}/{CALLBACK}", json=body, timeout=60)
        response.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _session(host: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{host.rstrip('/')}/login", timeout=30).text
    form = form_fields(page, "dispatcher", DEMO_PASSWORDS["dispatcher"], "")
    response = session.post(f"{host.rstrip('/')}/login", data=form, timeout=60, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"the dispatcher could not sign in ({response.status_code})")
    return session


def _pct(values: list[float], q: int) -> float:
    return values[min(len(values) - 1, int(len(values) * q / 100))] if values else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
