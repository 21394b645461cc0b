"""`python -m bench.ogc`: the open geodata service (dashboard/ogc.py) served as `make demo` serves
it (gunicorn behind nginx), with an administrator's API token (the whole database):

- items: the largest collections read whole in pages of 1,000 features by their next links (as
  GDAL and QGIS read them); server time (Server-Timing) and bytes, p50/p95;
- tiles: vector tiles of grids, areas and buildings at random places over the data, zooms 8
  to 16; server time p50/p95, bytes p50 and largest;
- baseline, in the same run: all basic grids as one raw GeoJSON (the full-layer dump the map
  never sends), its query time and size.
Goals: p95 <= 100 ms a tile and <= 300 ms a 1,000-feature page. `--database URL` measures a
loaded database (a province) instead of a scratch demo city.
"""

import argparse
import json
import math
import os
import random
import statistics
import time
import urllib.request

from bench.browser import SERVER_TIMING, add_demo_users, scored_database, serving
from bench.dashboard import FULL_DUMP
from geo.auth.tokens import create_token
from geo.db.connection import connect
from geo.ogc.tiles import tile_of

PAGE = 1000
TILES = 150
TILE_GOAL_MS, PAGE_GOAL_MS = 100, 300
EXTENT = "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM grid_current) x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ogc", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a loaded and scored database (default: a scratch demo city)")
    args = parser.parse_args(argv)
    with scored_database("city", args.database, f"safety_map_ogc_bench_{os.getpid()}") as url:
        add_demo_users(url)
        with connect(url) as conn:
            token = create_token(conn, "admin", "bench.ogc", 1, "bench")
            extent = conn.execute(EXTENT).fetchone()
            started = time.perf_counter()
            dump_kb = conn.execute(FULL_DUMP).fetchone()[0] / 1024
            dump_ms = (time.perf_counter() - started) * 1000
            counts = {name: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for name, table in COUNTED}
            conn.commit()
        with serving(url) as (host, _process):
            lines = _pages(host, token, counts) + _tiles(host, token, extent)
    lines.append(f"  baseline, all basic grids as one raw GeoJSON: {dump_kb:,.0f} KB in {dump_ms:.0f} ms")
    print("\n".join(lines), flush=True)
    return 0


COUNTED = (("buildings", "building"), ("micro-grids", "micro_grid_current"), ("grids", "grid_current"))


def _pages(host: str, token: str, counts: dict) -> list[str]:
    """Each collection read whole, page after page by its next links, as GDAL and QGIS read it."""
    lines = [f"items, pages of {PAGE:,} features by their next links (an administrator's token):"]
    for collection, total in counts.items():
        timed, path = [], f"ogc/collections/{collection}/items?limit={PAGE}"
        while path:
            ms, size, following = _get(host, path, token)
            timed.append((ms, size))
            path = following.split(host, 1)[1] if following else None
        lines.append(_line(collection, f"{total:,} features, {len(timed)} pages", timed, PAGE_GOAL_MS))
    return lines


def _tiles(host: str, token: str, extent) -> list[str]:
    rng = random.Random(42)
    west, south, east, north = extent
    lines = [f"vector tiles, {TILES} a layer at random places over the data:"]
    for layer, zooms in (("areas-4", (8, 11)), ("grids", (12, 16)), ("buildings", (15, 17))):
        timed = []
        for _ in range(TILES):
            z = rng.randint(*zooms)
            x, y = tile_of(rng.uniform(west, east), rng.uniform(south, north), z)
            timed.append(_get(host, f"tiles/{layer}/{z}/{x}/{y}.mvt", token)[:2])
        lines.append(_line(f"{layer} z{zooms[0]}-{zooms[1]}", f"{TILES} tiles", timed, TILE_GOAL_MS))
    return lines


def _get(host: str, path: str, token: str) -> tuple[float, int, str | None]:
    """(server ms, bytes, the next link if the answer has one) of one answer."""
    request = urllib.request.Request(host + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        body = answer.read()
        timing = SERVER_TIMING.search(answer.headers.get("Server-Timing", ""))
    following = None
    if path.startswith("ogc/"):
        following = next((link["href"] for link in json.loads(body)["links"] if link["rel"] == "next"), None)
    return (float(timing.group(1)) if timing else math.nan), len(body), following


def _line(name: str, what: str, timed: list[tuple[float, int]], goal_ms: float) -> str:
    ms = sorted(t for t, _ in timed)
    sizes = sorted(n for _, n in timed)
    p95 = ms[min(len(ms) - 1, math.ceil(0.95 * len(ms)) - 1)]
    verdict = "met" if p95 <= goal_ms else "NOT met"
    return (
        f"  {name:<18} {what}: server p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms "
        f"(goal <= {goal_ms} ms: {verdict}); bytes p50 {statistics.median(sizes) / 1024:.1f} KB, "
        f"largest {sizes[-1] / 1024:.1f} KB"
    )


if __name__ == "__main__":
    raise SystemExit(main())
