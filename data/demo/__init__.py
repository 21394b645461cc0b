"""The seeded demo city: `load_demo` generates it and writes it in one transaction."""

import datetime as dt
import time

from tqdm import tqdm

from data.demo.scales import SCALES
from geo.db.connection import connect
from geo.errors import UserError
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
STEPS = ("cells", "hierarchy", "buildings", "cases", "registry", "load")


def load_demo(url: str, scale: str, seed: int, as_of: dt.date, if_empty: bool = False, replace: bool = False) -> str:
    """Generate the demo city at `scale` and load it; return a short report.

    The whole load is one transaction: on any error the database is left as it was.
    With `if_empty`, a database that already holds a city is left alone.
    """
    from data.demo.generate import generate_city
    from data.demo.load import IdCounter, finish, load_city

    if scale not in SCALES:
        raise UserError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    spec = SCALES[scale]
    started = time.perf_counter()
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
                for index in range(spec.cities):
                    city = generate_city(spec, seed, index, as_of, progress=lambda label: _advance(bar, label))
                    load_city(conn, city, ids, version_id)
                    _advance(bar, "load")
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
    lines.append(
        f"  placed {placed['records']:,} cases: {placed['by_coordinates']:,} by coordinates, "
        f"{placed['by_address']:,} by address, {placed['review']:,} to review, {placed['outside']:,} outside"
    )
    lines += [f"  {layer:<16} {count:>10,}" for layer, count in counts]
    return "\n".join(lines)


def _advance(bar, label: str) -> None:
    bar.set_postfix_str(label)
    bar.update(1)
