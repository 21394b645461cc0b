"""`python -m bench.loadtest PLAN.json HOST --users 50 --seconds 300`: simulated leaders
drilling and filtering, with locust, against a running dashboard. Prints one JSON line:
requests, failures, p50/p95/max response times.

The plan is recorded by the benchmark from a real browser walking from the city to a
building: per drill step, the exact callback requests the page sent, the tiles and the heat
image it fetched, and for each step other units of the same level. A simulated leader walks
down with randomly chosen units (their codes put in place of the recorded ones, tiles
shifted to their place), sometimes changing the date range, and waits 1–3 s between steps
as a person reading the page does. Each leader first signs in through the login form (as the
demo admin, who sees the whole city, as the recorded walk did); its session cookie goes with
every later request. The drilling starts once every leader has signed in (each then waits its
own place in the spawn order, so that they arrive one after another as before): a sign-in
costs a password hash, and fifty of them at once would otherwise hold up the first views. The
sign-ins are counted apart ("sign in"; their failures count as errors): the response times
reported are those of the drilling, over `--seconds` from when everyone is in. Run in its own
process: locust patches the standard library for gevent."""

import argparse
import json
import math
import random
import re
import sys

import gevent
import gevent.event
from locust import HttpUser, between, task
from locust.env import Environment
from locust.stats import StatsEntry

from dashboard.login_page import form_fields
from geo.auth.demo import DEMO_PASSWORDS

PLAN: dict = {}
FILTER_CHANGE_SHARE = 0.3
USERNAME = "admin"
SIGN_IN = "sign in"
SIGN_IN_TIMEOUT_S = 300
SIGN_IN_TRIES = 20
# Leaders that have started (in spawn order), those done signing in, and how many there are.
CROWD: dict = {"started": 0, "signed_in": 0, "users": 0, "spawn_rate": 1}
EVERYONE_IN = gevent.event.Event()


def _replace_code(text: str, old: str, new: str) -> str:
    # Codes nest (a grid's code starts with its community's): replace whole codes only.
    return re.sub(rf"(?<![0-9A-Za-z]){re.escape(old)}(?![0-9A-Za-z])", new, text)


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def _shift_tile(url: str, recorded: list[float], chosen: list[float]) -> str:
    z, x, y = (int(v) for v in re.search(r"/(\d+)/(\d+)/(\d+)\.webp", url).groups())
    (x0, y0), (x1, y1) = _tile_of(*recorded, z), _tile_of(*chosen, z)
    return re.sub(r"/\d+/\d+/\d+\.webp", f"/{z}/{x + x1 - x0}/{y + y1 - y0}.webp", url)


class Leader(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        """Sign in, wait for the others, then for this leader's place in the spawn order."""
        place = CROWD["started"]
        CROWD["started"] += 1
        try:
            self._sign_in()
        finally:
            CROWD["signed_in"] += 1
            if CROWD["signed_in"] >= CROWD["users"]:
                EVERYONE_IN.set()
        EVERYONE_IN.wait()
        gevent.sleep(place / CROWD["spawn_rate"])

    def _sign_in(self) -> None:
        """Through the form: GET /login (its csrf token, bound to the session cookie), POST it
        back with the password; a 302 away from /login is success. A 429 (every password check
        of the worker taken by the others signing in) is tried again after its Retry-After,
        as a person would."""
        form = self.client.get("/login", name=SIGN_IN)
        fields = form_fields(form.text, USERNAME, DEMO_PASSWORDS[USERNAME], "/")
        for attempt in range(SIGN_IN_TRIES):
            with self.client.post(
                "/login", data=fields, allow_redirects=False, name=SIGN_IN, catch_response=True
            ) as response:
                if response.status_code == 429 and attempt < SIGN_IN_TRIES - 1:
                    response.success()
                    gevent.sleep(int(response.headers.get("Retry-After", "1")) * random.uniform(1, 2))
                    continue
                if response.status_code != 302 or "/login" in response.headers.get("Location", ""):
                    response.failure(f"{USERNAME} could not sign in: {response.status_code}")
                return

    @task
    def drill_down(self) -> None:
        chosen_codes: dict[str, str] = {}
        for step in PLAN["steps"]:
            recorded = step["code"]
            alternatives = step["alternatives"] or [[recorded, step["centre"]]]
            code, centre = random.choice(alternatives) if recorded else (recorded, step["centre"])
            if recorded:
                chosen_codes[recorded] = code
            start = None
            if random.random() < FILTER_CHANGE_SHARE:
                start = f"2026-{random.randint(1, 10):02d}-{random.randint(1, 28):02d}"
            for request in step["callbacks"]:
                body = request["body"]
                for old, new in chosen_codes.items():
                    body = _replace_code(body, old, new)
                if start:
                    body = re.sub(r'"start": ?"[0-9-]{10}"', f'"start": "{start}"', body)
                self.client.post(
                    request["path"],
                    data=body,
                    headers={"Content-Type": "application/json"},
                    name=f"callback {step['level']}",
                )
            for url in step["tiles"]:
                self.client.get(_shift_tile(url, step["centre"], centre), name=f"tile {step['level']}")
            for url in step["heat"]:
                self.client.get(_replace_code(url, recorded, code) if recorded else url, name="heat")
            gevent.sleep(random.uniform(1, 3))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest")
    parser.add_argument("plan")
    parser.add_argument("host")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=300)
    args = parser.parse_args(argv)
    with open(args.plan, encoding="utf-8") as source:
        PLAN.update(json.load(source))
    Leader.host = args.host.rstrip("/")
    environment = Environment(user_classes=[Leader])
    runner = environment.create_local_runner()
    CROWD.update(users=args.users, spawn_rate=max(1, args.users // 10))
    runner.start(args.users, spawn_rate=CROWD["spawn_rate"])
    EVERYONE_IN.wait(timeout=SIGN_IN_TIMEOUT_S)
    EVERYONE_IN.set()  # whoever is still signing in, the others go on
    gevent.sleep(args.seconds)
    runner.quit()
    # The drilling's figures without the sign-ins (their failures still count as errors).
    total = StatsEntry(environment.stats, "drilling", "", use_response_times_cache=False)
    for (name, _method), entry in environment.stats.entries.items():
        if name != SIGN_IN:
            total.extend(entry)
    result = {
        "users": args.users,
        "seconds": args.seconds,
        "requests": total.num_requests,
        "failures": environment.stats.total.num_failures,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "max_ms": total.max_response_time,
        "per_second": round(total.num_requests / args.seconds, 1),
        "errors": [f"{e.method} {e.name}: {e.error}"[:200] for e in list(environment.stats.errors.values())[:5]],
        "by_name": {
            f"{name} {method}" if name == SIGN_IN else name: {
                "requests": entry.num_requests,
                "p95_ms": entry.get_response_time_percentile(0.95),
            }
            for (name, method), entry in sorted(environment.stats.entries.items())
        },
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
