"""`python -m bench risk`: is the score right, and is it fast? On the demo city.

- Spearman correlation of each grid's score with the generator's planted rate per household;
- backtest: at the end of each month, the share of the next 30 days' cases that fall in the
  top 10 % of grids by score, against the same ranking by the last 30 days' raw count; and the
  score with a closure-quality term (cases closed but not solved) added at a few weights,
  against the score alone: the case loop's figures become a component only if this improves;
- false hotspots: cases moved to buildings drawn at random (weighted by households, so only
  population explains where they are), then the share of grids flagged as Gi* hotspots;
- time of a full recompute and of one grid's incremental refresh, against a plain count of
  cases per grid (the least any score must read), measured in the same run;
- the full recompute in this process against the same partitioned by county on a Dask
  LocalCluster of 2 worker processes (geo/risk/cluster.py), both stored.
The random reshuffle rewrites placements, so it runs last, in the benchmark's own database.
"""

import datetime as dt
import time

import numpy as np
import pandas as pd
from scipy import stats

from bench import load_query
from bench.suites import best_of
from geo.db.connection import connect
from geo.db.copy import copy_rows
from geo.risk.config import load_config
from geo.risk.model import compute
from geo.risk.refresh import refresh_pending
from geo.risk.store import run_full

RANDOM_BUILDINGS = (
    "SELECT b.id, b.households FROM building b"
    " JOIN building_assignment a ON a.building_id = b.id AND a.status = 'assigned'"
)
TRUE_COUNTS = (
    "SELECT g.id, t.cases_per_year FROM demo_truth.grid_intensity t"
    " JOIN grid_current g ON g.code = t.grid_code AND g.is_basic"
)
TOP_SHARE = 0.10
CLOSURE_WEIGHTS = (0.1, 0.25, 0.5)  # a closure-quality term's weights tried in the backtest
MONTH_DAYS = 30


def run(url: str) -> list[str]:
    config = load_config()
    with connect(url) as conn:
        as_of = conn.execute("SELECT max(as_of) FROM demo_truth.generation").fetchone()[0]
        lines = [_timing(conn, as_of, config), _on_dask(url, conn, as_of, config)]
        lines += [_spearman(conn, as_of, config), _backtest(conn, as_of, config)]
        lines.append(_random_hotspots(conn, as_of, config))
    return lines


def _timing(conn, as_of: dt.date, config) -> str:
    conn.commit()
    full = best_of(lambda: run_full(conn, as_of, config), 2)
    plain = best_of(lambda: conn.execute(load_query("plain_count"), [as_of]).fetchall(), 3)
    grid_id = conn.execute("SELECT id FROM grid_current WHERE is_basic ORDER BY code LIMIT 1").fetchone()[0]

    def one_grid():
        conn.execute("INSERT INTO risk_pending (grid_id) VALUES (%s) ON CONFLICT DO NOTHING", [grid_id])
        refresh_pending(conn, today=as_of)

    incremental = best_of(one_grid, 3)
    grids = conn.execute("SELECT count(*) FROM grid_current WHERE is_basic").fetchone()[0]
    return (
        f"risk: full recompute of {grids:,} grids and their areas {full:.2f} s, one grid's incremental refresh "
        f"{incremental:.2f} s ({full / incremental:.0f}x quicker); plain count of cases per grid {plain:.2f} s "
        f"-> full recompute = {full / plain:.1f}x the plain count"
    )


def _on_dask(url: str, conn, as_of: dt.date, config, workers: int = 2) -> str:
    """The stored full recompute in one process vs on `workers` Dask worker processes (the
    cluster started once, outside the timing, as a standing cluster would be)."""
    from geo.risk.cluster import compute_on_dask, county_codes, dask_client

    conn.commit()
    single = best_of(lambda: run_full(conn, as_of, config), 2)
    started = time.perf_counter()
    with dask_client(workers) as client:
        ready = time.perf_counter() - started

        def spread(c, day, cfg, _snapshot=None):
            return compute_on_dask(client, url, c, day, cfg)

        distributed = best_of(lambda: run_full(conn, as_of, config, spread), 2)
    return (
        f"risk on Dask: full recompute in one process {single:.2f} s, partitioned by county "
        f"({len(county_codes(conn))} partitions) on {workers} local worker processes {distributed:.2f} s "
        f"-> {single / distributed:.2f}x (cluster start {ready:.1f} s, not counted)"
    )


def _spearman(conn, as_of: dt.date, config) -> str:
    table = compute(conn, as_of, config).units
    grids = table[table["kind"] == "grid"].set_index("code")
    truth = pd.DataFrame(
        conn.execute("SELECT grid_code, cases_per_household, cases_per_year FROM demo_truth.grid_intensity").fetchall(),
        columns=["code", "per_household", "per_year"],
    ).set_index("code")
    joined = grids.join(truth, how="inner")
    households = joined[joined["households"] > 0]
    rate = stats.spearmanr(households["score"], households["per_household"]).statistic
    count = stats.spearmanr(joined["score"], joined["per_year"]).statistic
    return (
        f"risk: Spearman of score vs planted cases per household {rate:.3f} over {len(households):,} grids with "
        f"households (goal >= 0.8); vs planted cases per year {count:.3f} over {len(joined):,} grids"
    )


def _backtest(conn, as_of: dt.date, config) -> str:
    """Month ends from the second month of data on; ours vs last month's raw count, and the
    planted truth's own ranking as the ceiling that no ranking can be expected to pass."""
    months = [as_of - dt.timedelta(days=MONTH_DAYS * k) for k in range(11, 0, -1)]
    truth = dict(conn.execute(TRUE_COUNTS).fetchall())
    ours, baseline, ceiling = [], [], []
    with_closure = {weight: [] for weight in CLOSURE_WEIGHTS}
    for month_end in months:
        grids = compute(conn, month_end, config).units
        grids = grids[grids["kind"] == "grid"].set_index("grid_id")
        counts = _counts(conn, month_end)
        last = counts["last"].reindex(grids.index, fill_value=0).to_numpy(float)
        following = counts["next"].reindex(grids.index, fill_value=0).to_numpy(float)
        ours.append(_top_share(grids["score"].to_numpy(), following))
        baseline.append(_top_share(last, following))
        ceiling.append(_top_share(grids.index.map(lambda g: truth.get(g, 0.0)).to_numpy(float), following))
        not_solved = _not_solved(conn, month_end).reindex(grids.index, fill_value=0).to_numpy(float)
        for weight, shares in with_closure.items():
            shares.append(_top_share(_with_term(grids["score"].to_numpy(float), not_solved, weight), following))
    ratio = np.mean(ours) / np.mean(baseline)
    closure = ", ".join(f"weight {w:g}: {np.mean(s) / np.mean(ours):.3f}x" for w, s in with_closure.items())
    return (
        f"risk backtest with a closure-quality term (the grid's cases closed but not solved in the last 90 days, "
        f"standardised, added to the score at a weight), against the score alone: {closure} "
        f"(a component only if it improves)\n"
    ) + (
        f"risk backtest over {len(months)} month ends: share of the next 30 days' cases in the top 10 % of grids "
        f"by score {np.mean(ours):.3f}, by last month's count {np.mean(baseline):.3f} -> {ratio:.2f}x "
        f"(goal >= 1.1x); by the planted true intensity itself {np.mean(ceiling):.3f} -> "
        f"{np.mean(ceiling) / np.mean(baseline):.2f}x (the ceiling); from the third month end on (90+ days of "
        f"history) {np.mean(ours[2:]) / np.mean(baseline[2:]):.2f}x; per month ours / baseline "
        f"{', '.join(f'{a:.2f}/{b:.2f}' for a, b in zip(ours, baseline))}"
    )


def _not_solved(conn, month_end: dt.date) -> pd.Series:
    rows = conn.execute(load_query("not_solved"), {"month_end": month_end}).fetchall()
    return pd.Series(dict(rows), dtype=float)


def _with_term(score: np.ndarray, term: np.ndarray, weight: float) -> np.ndarray:
    """The score plus `weight` score standard deviations per standard deviation of `term`."""
    spread = term.std()
    return score if spread == 0 else score + weight * score.std() * (term - term.mean()) / spread


def _counts(conn, month_end: dt.date) -> pd.DataFrame:
    rows = conn.execute(load_query("month_counts"), {"month_end": month_end, "days": MONTH_DAYS})
    return pd.DataFrame(rows.fetchall(), columns=["grid_id", "last", "next"]).set_index("grid_id")


def _top_share(ranking: np.ndarray, following: np.ndarray) -> float:
    """Share of `following` in the top 10 % by `ranking`; ties at the cut share the remaining
    places equally (the expected share under random tie-breaking)."""
    places = int(round(TOP_SHARE * len(ranking)))
    cut = np.sort(ranking)[::-1][places - 1]
    above, at_cut = ranking > cut, ranking == cut
    fraction = (places - above.sum()) / at_cut.sum()
    return (following[above].sum() + fraction * following[at_cut].sum()) / following.sum()


def _random_hotspots(conn, as_of: dt.date, config) -> str:
    """Move every case to a random building (weighted by households), then count hotspots."""
    buildings = pd.DataFrame(conn.execute(RANDOM_BUILDINGS).fetchall(), columns=["building_id", "households"])
    cases = [row[0] for row in conn.execute("SELECT case_id FROM case_assignment WHERE status = 'assigned'")]
    weight = buildings["households"].to_numpy(float) + 1
    drawn = np.random.default_rng(42).choice(buildings["building_id"].to_numpy(), len(cases), p=weight / weight.sum())
    conn.execute("CREATE TEMP TABLE bench_shuffle (case_id bigint, building_id integer) ON COMMIT DROP")
    copy_rows(conn, "bench_shuffle", ["case_id", "building_id"], pd.DataFrame({"case_id": cases, "building_id": drawn}))
    moved = conn.execute(load_query("shuffle")).rowcount
    table = compute(conn, as_of, config).units
    conn.rollback()
    grids = table[table["kind"] == "grid"]
    hot = (grids["hotspot"] == "hot").mean()
    red = (grids["level"] == "red").mean()
    return (
        f"risk on spatially random cases ({moved:,} cases moved to random buildings): {hot:.2%} of grids flagged as "
        f"Gi* hotspots after FDR (goal <= 5 %), {red:.2%} red"
    )
