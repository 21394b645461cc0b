"""The full recompute partitioned by county on Dask distributed equals the one-process run:
the same scores, levels, hotspots and emerging classes (geo/risk/cluster.py)."""

import json

import numpy as np
import pandas as pd

from geo.db.connection import connect
from geo.db.frames import query_frame
from geo.risk.cluster import compute_on_dask, county_codes, dask_client
from geo.risk.config import load_config
from geo.risk.model import compute
from geo.risk.store import run_full
from tests.conftest import DEMO_AS_OF
from tests.test_cli import run_geo

NUMBERS = ["score", "score_low", "score_high", "relative_risk", "gi_z", "gi_q", "trend_week", "trend_month"]
NUMBERS += ["risk_low", "risk_high", "risk_trend_week", "risk_trend_month"]
CLASSES = ["level", "hotspot", "emerging", "county", "households", "top_categories"]
# Grids with a neighbour in another county: their Gi* sums need the halo.
BORDER_GRIDS = """
SELECT count(DISTINCT a.id) FROM grid_current a
JOIN grid_current b ON b.is_basic AND b.id <> a.id AND ST_DWithin(a.geom, b.geom, 1e-5)
JOIN admin_area ca ON ca.id = a.community_id JOIN admin_area ta ON ta.id = ca.parent_id
JOIN admin_area cb ON cb.id = b.community_id JOIN admin_area tb ON tb.id = cb.parent_id
WHERE a.is_basic AND ta.parent_id <> tb.parent_id
"""


def assert_same(single: pd.DataFrame, spread: pd.DataFrame) -> None:
    """Every unit in both; numbers equal up to the order of floating-point sums, the rest equal."""
    single, spread = (t.set_index(["kind", "code"]).sort_index() for t in (single, spread))
    assert single.index.equals(spread.index)
    for column in NUMBERS:
        np.testing.assert_allclose(spread[column].astype(float), single[column].astype(float), rtol=1e-9, atol=1e-12)
    for column in CLASSES:
        assert [_plain(v) for v in spread[column]] == [_plain(v) for v in single[column]], column


def _plain(value):
    """None for a missing value (None or NaN), else the value."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def test_the_county_partitioned_recompute_on_two_workers_equals_the_single_process(demo_db):
    config = load_config()
    with connect(demo_db) as conn:
        counties = county_codes(conn)
        assert len(counties) >= 2 and conn.execute(BORDER_GRIDS).fetchone()[0] > 0
        single = compute(conn, DEMO_AS_OF, config).units
        with dask_client(2, processes=False) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            spread = compute_on_dask(client, demo_db, conn, DEMO_AS_OF, config).units
    grids = single[single["kind"] == "grid"]
    assert (grids["hotspot"] == "hot").any() and grids["emerging"].notna().any()
    assert_same(single, spread)


def test_the_cli_recomputes_on_the_configured_dask_cluster_and_stores_what_one_process_stores(demo_db):
    """`--workers` with SAFETY_MAP_DASK_SCHEDULER: the run goes to that cluster (here one of
    this process's threads, which spares starting worker interpreters)."""
    with dask_client(2, processes=False) as client:
        scheduler = {"SAFETY_MAP_DASK_SCHEDULER": client.scheduler.address}
        computed = run_geo(
            "risk", "--as-of", DEMO_AS_OF.isoformat(), "--workers", "2",
            database_url=demo_db, env_extra=scheduler, in_process=True,
        )  # fmt: skip
        ran = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
    assert computed.returncode == 0, computed.stderr
    assert "read_county" in ran and "finish_part" in ran
    assert json.loads(computed.stdout)["grids"] > 0
    query = "SELECT kind, code, level, hotspot, emerging, score FROM risk_score WHERE as_of = %s ORDER BY code"
    with connect(demo_db) as conn:
        on_dask = query_frame(conn, query, [DEMO_AS_OF])
        run_full(conn, DEMO_AS_OF, load_config())
        one = query_frame(conn, query, [DEMO_AS_OF])
    labels = ["kind", "code", "level", "hotspot", "emerging"]
    assert on_dask[labels].equals(one[labels])
    np.testing.assert_allclose(on_dask["score"].astype(float), one["score"].astype(float), rtol=1e-9)
