"""`python -m bench.boundaries`: how long a typical boundary edit takes to preview and
commit, at city and province scale. `make bench` runs it.

A typical edit: a planner moves one vertex shared by two grids by about two metres. For each
scale, in a scratch database holding the demo (or `--database`, already loaded), the same is
done in several communities drawn at random (seed 42): open a draft, move the vertex, preview,
commit. All of it runs in one transaction that is rolled back at the end, so a given database
is left as it was.

Baseline, measured in the same run: reading the whole city's boundary layers, as re-placing
the edited ground would cost if it read the whole city instead of the edited neighbourhood.
The ratio of province to city says whether a cost grows with the size of the city.

`--planners N` (default 10, 0 for none) then has N planners preview and commit N different
communities of the city at the same moment (bench/boundary_planners.py).
"""

import argparse
import os
import random
import statistics
import time

import numpy as np
import shapely

from bench import boundary_planners
from bench.suites import demo_database
from data.demo.scales import SCALES
from geo.boundaries import edits, store
from geo.boundaries.commit import commit_draft
from geo.boundaries.impact import preview
from geo.db.connection import connect
from geo.geocode.layers import load_layers

COMMUNITIES = 8
PLANNERS = 10
NUDGE_DEG = (2e-5, 1e-5)  # about two metres
CANDIDATES = """
SELECT a.code FROM admin_area a JOIN grid_current g ON g.community_id = a.id AND g.is_basic
WHERE a.level = 4 GROUP BY a.code HAVING count(*) >= 2 ORDER BY a.code
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.boundaries", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", nargs="+", choices=list(SCALES), default=["city", "province"])
    parser.add_argument("--database", nargs="+", help="measure these loaded databases instead, one per --scale")
    parser.add_argument("--communities", type=int, default=COMMUNITIES, help="edits per scale (default 8)")
    parser.add_argument("--planners", type=int, default=PLANNERS, help="planners at once in the city (default 10)")
    args = parser.parse_args(argv)
    results = {}
    for index, scale in enumerate(args.scale):
        planners = args.planners if scale == "city" else 0
        if args.database:
            results[scale] = measure_scale(args.database[index], scale, args.communities, planners)
        else:
            with demo_database(scale, f"safety_map_boundary_bench_{os.getpid()}_{scale}") as (url, seconds):
                print(f"{scale} demo loaded in {seconds:.0f} s", flush=True)
                results[scale] = measure_scale(url, scale, args.communities, planners)
    if {"city", "province"} <= set(results):
        print(compare(results["city"], results["province"]))
    return 0


def measure_scale(url: str, scale: str, communities: int, planners: int) -> dict:
    """The typical edits, printed, then (with `planners`) the planners at once, printed."""
    timings = measure(url, communities)
    print(report(scale, timings), flush=True)
    if planners:
        with connect(url) as conn:
            candidates = [row[0] for row in conn.execute(CANDIDATES)]
        print(boundary_planners.report(boundary_planners.measure(url, planners, candidates)), flush=True)
    return timings


def measure(url: str, communities: int) -> dict:
    """Seconds of each step for `communities` edits, and of the baseline."""
    timings = {"open": [], "edit": [], "preview": [], "commit": []}
    with connect(url) as conn:
        codes = [row[0] for row in conn.execute(CANDIDATES)]
        chosen = random.Random(42).sample(codes, min(communities, len(codes)))
        for code in chosen:
            _one_edit(conn, code, timings)
        started = time.perf_counter()
        load_layers(conn)
        timings["baseline"] = [time.perf_counter() - started]
        timings["basic_grids"] = conn.execute("SELECT count(*) FROM grid_current WHERE is_basic").fetchone()[0]
        conn.rollback()
    return timings


def _one_edit(conn, community: str, timings: dict) -> None:
    started = time.perf_counter()
    draft = store.open_draft(conn, community, "bench")
    timings["open"].append(time.perf_counter() - started)
    found = interior_shared_vertex(draft)
    if found is None:
        return
    vertex = found[2]
    target = (vertex[0] + NUDGE_DEG[0], vertex[1] + NUDGE_DEG[1])
    started = time.perf_counter()
    with store.editing(conn, draft.id, "move_vertex", {}) as changed:
        edits.move_vertex(changed, vertex, target)
    timings["edit"].append(time.perf_counter() - started)
    timings["preview"].append(preview(conn, draft.id)["seconds"])
    timings["commit"].append(commit_draft(conn, draft.id, "bench", "benchmark edit")["seconds"])


def interior_shared_vertex(draft) -> tuple[str, str, tuple[float, float]] | None:
    """Two sibling basic grids and a vertex they share away from the community's edge (None
    if there are none): what a typical edit moves."""
    edge = shapely.get_coordinates(draft.community.geom.boundary)
    grids = draft.basic_grids()
    for a in grids:
        mine = shapely.get_coordinates(a.geom)
        for b in grids:
            if b.code <= a.code or b.parent_code != a.parent_code:
                continue
            theirs = shapely.get_coordinates(b.geom)
            for point in mine:
                if (np.abs(theirs - point).max(axis=1) == 0).any() and not (
                    np.abs(edge - point).max(axis=1) < 1e-9
                ).any():
                    return a.code, b.code, (float(point[0]), float(point[1]))
    return None


def report(scale: str, timings: dict) -> str:
    lines = [f"{scale}: {timings['basic_grids']} basic grids, {len(timings['commit'])} edits (one shared vertex each)"]
    for step in ("open", "edit", "preview", "commit"):
        values = timings[step]
        if values:
            lines.append(
                f"  {step:<8} median {statistics.median(values) * 1000:6.0f} ms   max {max(values) * 1000:6.0f} ms"
            )
    lines.append(f"  baseline: reading the whole city's layers {timings['baseline'][0] * 1000:6.0f} ms")
    return "\n".join(lines)


def compare(city: dict, province: dict) -> str:
    lines = ["province against city (1.0 = does not grow with the city):"]
    for step in ("open", "preview", "commit", "baseline"):
        if city[step] and province[step]:
            a, b = statistics.median(city[step]), statistics.median(province[step])
            lines.append(f"  {step:<8} {a * 1000:6.0f} ms -> {b * 1000:6.0f} ms  ({b / a:.2f}x)")
    lines.append(f"  basic grids {city['basic_grids']} -> {province['basic_grids']} "
                 f"({province['basic_grids'] / city['basic_grids']:.1f}x)")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
