"""The boundary editor's quick estimate scores a grid as the last run did when nothing changed."""

from geo.db.connection import connect
from geo.risk.estimate import estimate_grids, last_levels


def test_an_unchanged_grid_is_estimated_at_its_stored_score(scored_demo_db):
    with connect(scored_demo_db) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM grid_current WHERE is_basic ORDER BY id LIMIT 40")]
        estimated = estimate_grids(conn, ids)
        stored = last_levels(conn, list(estimated["code"]))
    assert len(estimated) == len(ids)
    for row in estimated.itertuples():
        score, level = stored[row.code]
        assert abs(row.score - score) < 0.01
        # Hotspot support is not recomputed: only a supported red can come out lower.
        assert row.level == level or (level == "red" and row.level == "orange")


def test_nothing_to_estimate_without_a_run(demo_db):
    with connect(demo_db) as conn:
        assert estimate_grids(conn, [1, 2]).empty
