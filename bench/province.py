"""`python -m bench.province`: the province demo built as a new user builds it, step by step.

`python -m data.demo load --scale province` and then `python -m geo risk` run as child
processes in a scratch database, as `make demo` runs them; the report gives each step's
time (the demo prints its own), the peak memory of the whole machine while they run (the
loader, its worker processes and PostgreSQL together) and, as the baseline of the same run,
the same for one city: a province should cost ten cities, not more.

Goal (issue 27): the province generated, loaded, placed and scored in 10 minutes or less,
memory at most 8 GB.
"""

import argparse
import os
import subprocess
import sys
import threading
import time

from geo.cli import run_command
from geo.db.connection import create_database, drop_database, server_url, with_dbname
from geo.settings import PROJECT_ROOT

GOAL_SECONDS = 600
GOAL_MEMORY_MB = 8 * 1024


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.province", description=__doc__.splitlines()[0])
    parser.add_argument("--skip-city", action="store_true", help="no city baseline (the province alone)")
    parser.add_argument("--workers", type=int, default=None, help="python -m geo risk --workers N (default: its own)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the province's database (for bench.dashboard --database URL)"
    )
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    city = None if args.skip_city else build("city", args.workers)
    province = build("province", args.workers, keep=args.keep)
    for scale, result in (("city", city), ("province", province)):
        if result:
            print(_report(scale, result), flush=True)
    if city:
        print(f"province / city: {province['total'] / city['total']:.1f}x the time (10 cities)")
    print(
        f"goal: province in at most {GOAL_SECONDS} s -> {province['total']:.0f} s "
        f"({'met' if province['total'] <= GOAL_SECONDS else 'not met'}); memory at most {GOAL_MEMORY_MB:,} MB "
        f"-> {province['commands_mb']:,.0f} MB ({'met' if province['commands_mb'] <= GOAL_MEMORY_MB else 'not met'})"
    )
    return 0


def build(scale: str, workers: int | None, keep: bool = False) -> dict:
    """Build `scale` in a scratch database (dropped unless `keep`); the steps' seconds, the
    demo's report, peak MB."""
    url = with_dbname(server_url(), f"safety_map_bench_{scale}_{os.getpid()}")
    create_database(url)
    try:
        with MemoryPeak() as memory:
            started = time.perf_counter()
            demo = _child(url, "data.demo", "load", "--scale", scale)
            loaded = time.perf_counter()
            _child(url, "geo", "risk", *(["--workers", str(workers)] if workers else []))
            scored = time.perf_counter()
        return {
            "load": loaded - started,
            "risk": scored - loaded,
            "total": scored - started,
            "report": demo,
            "peak_mb": memory.peak_mb,
            "commands_mb": memory.commands_mb,
        }
    finally:
        if keep:
            print(f"kept the {scale}'s database: {url}", flush=True)
        else:
            drop_database(url)


def _child(url: str, module: str, *arguments: str) -> str:
    """Run `python -m module arguments` on `url` as the command line would; its output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFETY_MAP_")} | {"DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", module, *arguments], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m {module} {' '.join(arguments)} failed: {done.stderr[-800:]}")
    return done.stdout


def _report(scale: str, result: dict) -> str:
    steps = next((line.strip() for line in result["report"].splitlines() if line.startswith("  generate")), "")
    return (
        f"{scale}: {result['total']:.0f} s in all (load and place {result['load']:.0f} s, risk "
        f"{result['risk']:.0f} s), peak memory of the commands {result['commands_mb']:,.0f} MB, of the machine "
        f"{result['peak_mb']:,.0f} MB over its start\n"
        f"  {steps}"
    )


class MemoryPeak:
    """Peak memory, sampled twice a second: of the commands (the child and its worker
    processes, resident set sizes summed) and of the whole machine above its use at the
    start (MemAvailable: PostgreSQL's backends and the shared buffers it fills count too)."""

    def __enter__(self):
        self.start, self.peak_mb, self.commands_mb = _used_mb(), 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _sample(self):
        while not self._stop.wait(0.5):
            self.peak_mb = max(self.peak_mb, _used_mb() - self.start)
            self.commands_mb = max(self.commands_mb, _descendants_rss_mb(os.getpid()))


def _used_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        kb = {name: int(value.split()[0]) for name, value in (line.split(":", 1) for line in meminfo)}
    return (kb["MemTotal"] - kb["MemAvailable"]) / 1024


def _descendants_rss_mb(root: int) -> float:
    """The resident memory of every process below `root` (this benchmark's children)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = (int(fields[1]), int(fields[21]))  # ppid, rss in pages
            except (OSError, IndexError, ValueError):
                continue  # the process ended meanwhile
    below, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, (ppid, _) in parents.items() if ppid in frontier} - below
        below |= frontier
    return sum(parents[pid][1] for pid in below) * os.sysconf("SC_PAGE_SIZE") / 2**20


if __name__ == "__main__":
    sys.exit(run_command(build_parser()))
