"""`python -m bench.facts --database URL`: the map's period figures from the daily case facts
(migration 0021) against the same figures counted from the cases (the map's path before the
facts, kept here as the baseline), and what keeping the facts costs a bulk placement.

Figures: for the root, the busiest county and community and grid, the four period figures of
one view (key figures, trend, category mix, counts per child) summed, for the default month,
a year, and a range asked for the first time (no cache exists at this level; the first run and the best
of three are reported).
The case path includes the walk down to the area's grids it needs.

Writes: all placements of the city deleted and written again in one statement each (as the
bulk geocoder writes them), inside a transaction rolled back: with the statement-level fact
triggers, without any, and with a row-level trigger doing the same upserts per row.
"""

import argparse
import datetime as dt
import random
import sys
import time

from bench import load_query as load_bench_query
from dashboard import context
from geo.db.connection import connect
from geo.map import facts
from geo.map.filters import CaseFilter
from geo.map.scope import map_query, scope_params
from geo.shared.units import find_unit, root_unit

FIGURES = ("kpis", "trend", "category_mix", "child_cases")
REPEATS = 3
FACT_TRIGGERS = ("case_assignment_facts_insert", "case_assignment_facts_update", "case_assignment_facts_delete")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.facts", description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a loaded demo city")
    args = parser.parse_args(argv)
    print("\n".join(figure_lines(args.database) + write_lines(args.database)))
    return 0


def figure_lines(url: str) -> list[str]:
    """One line per unit and date range: facts ms, cases ms, ratio."""
    with connect(url) as conn:
        units = _units(conn)
        end = context.default_end(conn)
        start = end - dt.timedelta(days=random.randint(40, 300))
        ranges = {
            "month": CaseFilter(end - dt.timedelta(days=29), end),
            "year": CaseFilter(end - dt.timedelta(days=364), end),
            f"new range {start}..{start + dt.timedelta(days=17)}": CaseFilter(start, start + dt.timedelta(days=17)),
        }
        lines = ["period figures of a view (kpis + trend + category mix + per child), first run / best of 3:"]
        for unit in units:
            for label, case_filter in ranges.items():
                params = case_filter.params(end)
                facts_first, from_facts = _timed(_facts_view, conn, unit, params)
                cases_first, from_cases = _timed(_cases_view, conn, unit, params)
                lines.append(
                    f"  {unit.kind:<9} {label:<30} facts {facts_first:6.1f} / {from_facts:6.1f} ms"
                    f"  cases {cases_first:6.1f} / {from_cases:6.1f} ms  ({from_cases / max(from_facts, 0.01):.1f}x)"
                )
        rows = conn.execute("SELECT (SELECT count(*) FROM case_grid_day), (SELECT count(*) FROM case_area_day)")
        grid_rows, area_rows = rows.fetchone()
        placed = conn.execute("SELECT count(*) FROM case_assignment WHERE grid_id IS NOT NULL").fetchone()[0]
        lines.append(
            f"  facts: {grid_rows:,} grid-day rows and {area_rows:,} area-day rows for {placed:,} placed cases"
        )
    return lines


def write_lines(url: str) -> list[str]:
    """The bulk rewrite of every placement with the fact triggers, without, and per row."""
    timings = {}
    for variant in ("statement triggers", "no fact triggers", "row triggers"):
        with connect(url) as conn:
            if variant != "statement triggers":
                for trigger in FACT_TRIGGERS:
                    conn.execute(f"ALTER TABLE case_assignment DISABLE TRIGGER {trigger}")
            if variant == "row triggers":
                conn.execute(load_bench_query("facts_row_trigger"))
            conn.execute("CREATE TEMP TABLE placements AS SELECT * FROM case_assignment")
            started = time.perf_counter()
            conn.execute("DELETE FROM case_assignment")
            deleted = time.perf_counter()
            rows = conn.execute("INSERT INTO case_assignment SELECT * FROM placements").rowcount
            timings[variant] = (deleted - started, time.perf_counter() - deleted)
            conn.rollback()
    base_delete, base_insert = timings["no fact triggers"]
    lines = [f"rewriting all {rows:,} placements (DELETE, then INSERT in one statement each; rolled back):"]
    for variant, (delete_s, insert_s) in timings.items():
        lines.append(
            f"  {variant:<19} delete {delete_s:6.2f} s ({delete_s / base_delete:4.1f}x)"
            f"  insert {insert_s:6.2f} s ({insert_s / base_insert:4.1f}x)"
        )
    return lines


def _units(conn) -> list:
    """The root and, below it, the busiest county, community and grid (most placed cases)."""
    units = [root_unit(conn)]
    for level in (2, 4):
        code = conn.execute(load_bench_query("busiest_area"), {"level": level}).fetchone()[0]
        units.append(find_unit(conn, code))
    grid = conn.execute(
        "SELECT g.code FROM case_assignment a JOIN grid g ON g.id = a.grid_id GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    return [*units, find_unit(conn, grid)]


def _facts_view(conn, unit, params: dict) -> None:
    for name in FIGURES:
        facts.run(conn, name, unit, params).fetchall()


def _cases_view(conn, unit, params: dict) -> None:
    scope = scope_params(conn, unit)
    for name in FIGURES:
        conn.execute(map_query(name, unit), {**scope, **params}).fetchall()


def _timed(run, *args) -> tuple[float, float]:
    """(first, best) of REPEATS runs, in ms."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run(*args)
        times.append((time.perf_counter() - started) * 1000)
    return times[0], min(times)


if __name__ == "__main__":
    sys.exit(main())
