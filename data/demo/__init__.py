"""The seeded demo city: `load_demo` generates it and writes it in one transaction."""

import datetime as dt
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from tqdm import tqdm

from data.demo.scales import SCALES
from geo.db.bulk_load import indexes_after
from geo.db.connection import connect
from geo.errors import UserError
from geo.geocode.bulk import Timer
from geo.overview import level_counts

DATA_TABLES = [
    "demo_truth.case_location",
    "demo_truth.grid_intensity",
    "demo_truth.hotspot",
    "demo_truth.generation",
    "sensitive.key_person",
    "cases",
    "key_place",
    "camera",
    "centre",
    "building_unit",
    "building",
    "micro_grid",
    "grid_staff",
    "grid",
    "boundary_version",
    "admin_area",
    "basemap.road",
    "basemap.water",
]
# The large tables, loaded without their secondary indexes and checks, built once at the end
# (grid and admin_area are small, and their writes queue the facts' deferred relink, which a
# CREATE INDEX on them would refuse to run beside).
BULK_TABLES = ["micro_grid", "building", "building_unit", "cases", "demo_truth.case_location", "sensitive.key_person"]
MAX_GENERATORS = 4  # worker processes making cities: each holds one (about 600 MB) as it works
STEPS = ("cells", "hierarchy", "buildings", "cases", "registry", "load")


def load_demo(url: str, scale: str, seed: int, as_of: dt.date, if_empty: bool = False, replace: bool = False) -> str:
    """Generate the demo city at `scale` and load it; return a short report.

    The whole load is one transaction: on any error the database is left as it was.
    With `if_empty`, a database that already holds a city is left alone.
    """
    from data.demo.load import IdCounter, finish, load_city

    if scale not in SCALES:
        raise UserError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    spec = SCALES[scale]
    started, timer = time.perf_counter(), Timer()
    with connect(url) as conn:
        with conn.transaction():
            existing = conn.execute("SELECT count(*) FROM admin_area").fetchone()[0]
            if existing and if_empty:
                return f"database already holds a city ({existing} areas): nothing generated"
            if existing and not replace:
                raise UserError(f"database already holds a city ({existing} areas); pass --replace to regenerate it")
            if existing:
                conn.execute("TRUNCATE " + ", ".join(DATA_TABLES) + " RESTART IDENTITY CASCADE")
            version_id = conn.execute(
                "INSERT INTO boundary_version (author, note) VALUES ('demo', %s) RETURNING id",
                [f"demo city, scale {scale}, seed {seed}"],
            ).fetchone()[0]
            ids = IdCounter(conn)
            with tqdm(total=spec.cities * len(STEPS), unit="step", desc=f"demo {scale}") as bar:
                with indexes_after(conn, BULK_TABLES, timer), timer.measure("generate+load"):
                    for city in generated_cities(spec, seed, as_of, lambda label: _advance(bar, label)):
                        load_city(conn, city, ids, version_id)
                        _advance(bar, "load")
                with timer.measure("place"):
                    placed = finish(conn)
            seconds = time.perf_counter() - started
            conn.execute(
                "INSERT INTO demo_truth.generation (scale, seed, as_of, seconds) VALUES (%s, %s, %s, %s)",
                [scale, seed, as_of, seconds],
            )
        conn.autocommit = True
        conn.execute("ANALYZE")
        counts = level_counts(conn)
    lines = [f"generated and loaded scale={scale} seed={seed} as_of={as_of} in {seconds:.1f} s"]
    lines.append("  " + ", ".join(f"{step} {s:.1f} s" for step, s in {**timer.seconds, **placed["seconds"]}.items()))
    lines.append(
        f"  placed {placed['records']:,} cases: {placed['by_coordinates']:,} by coordinates, "
        f"{placed['by_address']:,} by address, {placed['review']:,} to review, {placed['outside']:,} outside"
    )
    lines += [f"  {layer:<16} {count:>10,}" for layer, count in counts]
    return "\n".join(lines)


def generated_cities(spec, seed: int, as_of: dt.date, progress) -> Iterator:
    """The cities of a run in order. A province's are generated in worker processes (one a
    core) while the caller loads the ones already made; at most one waits beyond those being
    made, so memory stays at a few cities whatever the scale."""
    from data.demo.generate import generate_city

    workers = min(spec.cities, os.cpu_count() or 1, MAX_GENERATORS)
    if workers == 1:
        for index in range(spec.cities):
            yield generate_city(spec, seed, index, as_of, progress=progress)
        return
    # Spawned, not forked: the caller holds an open database connection.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        made = deque()
        for index in range(spec.cities):
            made.append(pool.submit(generate_city, spec, seed, index, as_of))
            if len(made) > workers:
                yield _generated(made.popleft(), progress)
        while made:
            yield _generated(made.popleft(), progress)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a failed load waits for no city


def _generated(future, progress):
    city = future.result()
    for step in STEPS[:-1]:
        progress(step)
    return city


def _advance(bar, label: str) -> None:
    bar.set_postfix_str(label)
    bar.update(1)
