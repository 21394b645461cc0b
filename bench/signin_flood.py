"""`python -m bench.signin_flood`: signed-in leaders' map callbacks alone, then during a flood
of wrong sign-ins with random usernames; prints both p95s and their ratio (goal: at most 2).

In a scratch database holding the demo (or `--database`, loaded and scored), with the
dashboard served as `make demo` serves it (gunicorn behind its nginx; with `--no-proxy`
gunicorn alone): a headless Chromium signed in as the demo leader records the callbacks of
the map's first view; `--leaders` threads, each signed in as the leader through the form,
replay them one after another with a short pause, alone and while `--threads` threads post
wrong passwords for random usernames as fast as the server answers (each from its own
loopback address with `--addresses per-thread`, else all from 127.0.0.1). The flood's answers
are counted by status: 401 (a password checked), 429 (refused before any hashing; by nginx,
or by Python without it). For reference, the same threads also ask for a public path
(GET /favicon.ico) as fast: what any flood of requests that reach the app costs this server;
and they post the same sign-ins to a closed port, which no server answers: what the flood
program costs by itself. The phases are taken in turns, a slice of each per round, so that
other work on the machine weighs on all alike. The flood runs on the same cores as the server
(`--flood-nice 19` lowers its priority, as if it ran elsewhere).
"""

import argparse
import http.client
import multiprocessing
import os
import resource
import secrets
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

import requests

from bench.browser import chromium, scored_database, serving, sign_in, walk
from dashboard.login_page import form_fields
from data.demo.scales import SCALES
from geo.auth.demo import DEMO_PASSWORDS

LEADER = "leader"
KINDS = {
    "sign-in": "wrong sign-ins",
    "page": "reference, GET /favicon.ico",
    "closed": "reference, the sign-ins to a closed port (the flood program alone)",
}
PAUSE_S = 0.2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signin_flood", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--database", help="use this loaded and scored database instead of a scratch demo")
    parser.add_argument("--leaders", type=int, default=4, help="signed-in leaders replaying callbacks (default 4)")
    parser.add_argument("--threads", type=int, default=32, help="threads of wrong sign-ins (default 32)")
    parser.add_argument("--addresses", choices=("one", "per-thread"), default="one")
    parser.add_argument("--seconds", type=int, default=30, help="length of each phase (default 30)")
    parser.add_argument("--rounds", type=int, default=5, help="slices each phase is taken in, in turns (default 5)")
    parser.add_argument(
        "--flood-nice",
        type=int,
        default=0,
        help="run the flood's own process at this nice value (19 approximates an attacker on another machine)",
    )
    parser.add_argument("--no-proxy", action="store_true", help="serve gunicorn directly, without nginx in front")
    args = parser.parse_args(argv)
    with (
        scored_database(args.scale, args.database, f"safety_map_floodbench_{os.getpid()}") as url,
        serving(url, **({"PROXY": "false"} if args.no_proxy else {})) as (host, _process),
    ):
        callbacks = _record_callbacks(host)
        print(f"{len(callbacks)} callbacks of the leader's first view recorded", flush=True)
        sessions = [_signed_in_session(host) for _ in range(args.leaders)]  # before the flood
        alone, floods = _phases(args, host, callbacks, sessions)
    print(_report(args, alone, floods))


def _phases(args, host: str, callbacks: list, sessions: list) -> tuple[list[float], dict]:
    """The leaders' times alone and during each kind of flood, the phases taken in turns
    (`--rounds` slices of each), so that other work on the machine weighs on all alike; and
    each flood's answers, CPU seconds and duration, summed over its slices."""
    slice_s = args.seconds / args.rounds
    alone: list[float] = []
    floods = {kind: ([], Counter(), 0.0, 0.0) for kind in KINDS}
    for _ in range(args.rounds):
        alone += _leaders_for(host, callbacks, sessions, slice_s)
        for kind, (during, answers, cpu_s, elapsed) in floods.items():
            flood = Flood(host, args.threads, args.addresses == "per-thread", args.flood_nice, kind)
            flood.start()
            try:
                during += _leaders_for(host, callbacks, sessions, slice_s)
            finally:
                more, more_cpu_s, more_s = flood.stop()
            floods[kind] = (during, answers + more, cpu_s + more_cpu_s, elapsed + more_s)
    return alone, floods
    return 0


def _record_callbacks(host: str) -> list[tuple[str, str]]:
    """(path, JSON body) of every callback the leader's map sends on its first view."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        sign_in(page, host, LEADER)
        step = walk(page, host, [""])[0]
    return [(urlsplit(url).path, body) for kind, url, body in step.requests if kind == "callback" and body]


def _signed_in_session(host: str) -> requests.Session:
    session = requests.Session()
    fields = form_fields(session.get(host + "login").text, LEADER, DEMO_PASSWORDS[LEADER], "/")
    answer = session.post(host + "login", data=fields, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"{LEADER} could not sign in: {answer.status_code}")
    return session


def _leaders_for(host: str, callbacks: list, sessions: list, seconds: float) -> list[float]:
    """Milliseconds of every callback the leaders (their signed-in sessions) sent in `seconds`."""
    times: list[float] = []
    deadline = time.monotonic() + seconds

    def replay(session: requests.Session) -> None:
        while time.monotonic() < deadline:
            for path, body in callbacks:
                started = time.perf_counter()
                answer = session.post(host.rstrip("/") + path, data=body, headers={"Content-Type": "application/json"})
                times.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"a leader's callback failed: {answer.status_code}")
                time.sleep(PAUSE_S)

    threads = [threading.Thread(target=replay, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


class Flood:
    """Threads posting wrong passwords for random usernames, each over its own connection
    (bound to 127.0.0.<10 + n> when `spread`), with the form's token fetched once as an
    attacker would. They run in a process of their own: sharing the leaders' interpreter
    lock, they would slow the leaders' clock rather than the server."""

    def __init__(self, host: str, threads: int, spread: bool, niceness: int = 0, kind: str = "sign-in"):
        parts = urlsplit(host)
        self.server, self.port = parts.hostname, parts.port if kind != "closed" else _closed_port()
        self.count, self.spread, self.niceness, self.kind = threads, spread, niceness, kind
        self.answers: Counter = Counter()
        self._stop = multiprocessing.Event()
        self._results = multiprocessing.Queue()
        self._process = multiprocessing.Process(target=self._run, daemon=True)
        self._started = 0.0

    def start(self) -> None:
        self._started = time.monotonic()
        self._process.start()

    def stop(self) -> tuple[Counter, float, float]:
        """The flood's answers by status, the CPU seconds its own process used, and how long
        it ran."""
        self._stop.set()
        answers, cpu_s = self._results.get(timeout=120)
        self._process.join(timeout=30)
        return answers, cpu_s, time.monotonic() - self._started

    def _run(self) -> None:
        os.nice(self.niceness)
        threads = []
        for n in range(self.count):
            source = (f"127.0.0.{10 + n}", 0) if self.spread else None
            threads.append(threading.Thread(target=self._guess, args=(source,), daemon=True))
            threads[-1].start()
        for thread in threads:
            thread.join()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self._results.put((self.answers, usage.ru_utime + usage.ru_stime))

    def _guess(self, source) -> None:
        connection = http.client.HTTPConnection(self.server, self.port, timeout=30, source_address=source)
        token, cookie = ("", "") if self.kind == "closed" else _form(connection)
        while not self._stop.is_set():
            username = "u" + secrets.token_hex(5)
            body = urlencode({"username": username, "password": secrets.token_urlsafe(12), "csrf": token, "next": ""})
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            try:
                if self.kind == "page":
                    connection.request("GET", "/favicon.ico", headers={"Cookie": cookie})
                else:
                    connection.request("POST", "/login", body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                self.answers[answer.status] += 1
            except (OSError, http.client.HTTPException):
                self.answers["error"] += 1
                connection.close()


def _form(connection: http.client.HTTPConnection) -> tuple[str, str]:
    """The sign-in form's token and the cookie it came with, fetched once as an attacker would."""
    connection.request("GET", "/login")
    answer = connection.getresponse()
    return form_fields(answer.read().decode(), "", "")["csrf"], answer.getheader("Set-Cookie", "").split(";")[0]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _report(args, alone: list[float], floods: dict) -> str:
    p95_alone = _p95(alone)
    lines = [
        f"sign-in flood, {args.scale} demo, {args.leaders} signed-in leaders, {args.threads} flood threads "
        f"({'one address each' if args.addresses == 'per-thread' else 'one address'}, nice {args.flood_nice}), "
        f"{args.seconds} s per phase in {args.rounds} turns, {'gunicorn alone' if args.no_proxy else 'behind nginx'}; "
        f"load average {os.getloadavg()[1]:.1f} over the last 5 minutes",
        f"  leaders' callbacks alone:            {len(alone):5d} requests, p50 {statistics.median(alone):7.1f} ms, "
        f"p95 {p95_alone:7.1f} ms",
    ]
    for kind, (during, answers, cpu_s, elapsed) in floods.items():
        what = KINDS[kind]
        attempts = sum(answers.values())
        statuses = ", ".join(f"{status}: {n:,}" for status, n in sorted(answers.items(), key=str))
        ratio = _p95(during) / max(p95_alone, 0.001)
        lines += [
            f"  during a flood of {what}: {len(during):5d} requests, p50 {statistics.median(during):7.1f} ms, "
            f"p95 {_p95(during):7.1f} ms: {ratio:.2f}x the p95 alone"
            + (f" (goal <= 2x: {'met' if ratio <= 2 else 'NOT met'})" if kind == "sign-in" else ""),
            f"    the flood: {attempts:,} requests in {elapsed:.0f} s ({attempts / elapsed:.0f}/s; {statuses}); "
            f"its own process used {cpu_s / elapsed:.2f} of this machine's {os.cpu_count()} cores",
        ]
    return "\n".join(lines)


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else (times[0] if times else 0.0)


if __name__ == "__main__":
    sys.exit(main())
