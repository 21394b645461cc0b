"""`python -m bench [core] [geocode] [import] [risk]`: speed against a baseline measured in the same run.

Runs in a scratch database (created and dropped here) holding the demo city:
- core: bulk loading with COPY (what the demo loader and imports use) vs. row-by-row INSERT;
- geocode: the geocoder's bulk placement, address matching and latency (bench/geocode.py);
- import: a large case CSV through `geo import` vs. a plain COPY of it (bench/imports.py);
- risk: the risk scores against the planted truth, a backtest, false hotspots, recompute time
  (bench/risk.py).
"""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from geo import clock
from geo.db.connection import connect, create_database, drop_database, server_url, with_dbname
from geo.db.migrate import migrate

SUITES = ("core", "geocode", "import", "risk")
REPEATS = 3
LOAD_ROWS = 20_000


@contextmanager
def demo_database(scale: str, name: str) -> Iterator[tuple[str, float]]:
    """A scratch database `name` holding the demo city of `scale` (seed 42, as of today),
    dropped afterwards; yields its URL and the seconds the load took."""
    from data.demo import load_demo

    url = with_dbname(server_url(), name)
    create_database(url)
    try:
        with connect(url) as conn:
            migrate(conn)
        started = time.perf_counter()
        load_demo(url, scale=scale, seed=42, as_of=clock.today())
        yield url, time.perf_counter() - started
    finally:
        drop_database(url)


def run_bench(scale: str = "city", suites=SUITES, extra_points: int = 1_000_000) -> list[str]:
    """Run the chosen benchmark suites; return printable lines with timings and ratios."""
    with demo_database(scale, f"safety_map_bench_{os.getpid()}") as (url, seconds):
        lines = [f"{scale} demo city generated, loaded and geocoded in {seconds:.1f} s"]
        if "core" in suites:
            lines.append(_bulk_load(url))
        if "geocode" in suites:
            from bench import geocode as geocode_bench

            lines += geocode_bench.run(url, extra_points)
        if "import" in suites:
            from bench import imports as import_bench

            lines += import_bench.run(url, extra_points)
        if "risk" in suites:
            from bench import risk as risk_bench

            lines += risk_bench.run(url)
        return lines


def best_of(function, repeats: int = REPEATS) -> float:
    """The shortest of `repeats` timed calls, in seconds."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def _bulk_load(url: str) -> str:
    rows = [(i, f"安澜市解放路{i}号", f"POINT({114 + i * 1e-6} 33.5)") for i in range(LOAD_ROWS)]

    def copy():
        with connect(url) as conn:
            conn.execute("CREATE TEMP TABLE scratch (id int, address text, geom geometry(Point, 4326))")
            with conn.cursor().copy("COPY scratch (id, address, geom) FROM STDIN") as writer:
                for row in rows:
                    writer.write_row((row[0], row[1], "SRID=4326;" + row[2]))

    def insert():
        with connect(url) as conn:
            conn.execute("CREATE TEMP TABLE scratch (id int, address text, geom geometry(Point, 4326))")
            for row in rows[: LOAD_ROWS // 10]:
                conn.execute("INSERT INTO scratch VALUES (%s, %s, ST_GeomFromText(%s, 4326))", row)

    fast = best_of(copy) / LOAD_ROWS
    slow = best_of(insert) / (LOAD_ROWS // 10)
    return f"bulk load: COPY {fast * 1e6:.1f} µs/row vs INSERT {slow * 1e6:.1f} µs/row -> {slow / fast:.1f}x faster"
