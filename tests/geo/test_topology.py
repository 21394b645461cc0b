"""check-topology finds what planners get wrong: gaps, overlaps, grids outside their parent."""

from geo.boundaries.topology import check_topology

ONE_BASIC_GRID = "SELECT code FROM grid_current WHERE is_basic ORDER BY code LIMIT 1"


def test_grown_grid_is_reported_as_overlap_and_outside(demo_conn):
    demo_conn.execute(f"""
        UPDATE grid SET geom = ST_Multi(ST_Buffer(geom::geography, 30)::geometry)
        WHERE code = ({ONE_BASIC_GRID})""")
    report = check_topology(demo_conn)
    assert report["overlaps"] and report["outside"]
    assert any(f["relation"] == "community_basic_grids" for f in report["overlaps"])


def test_shrunk_grid_leaves_a_gap(demo_conn):
    demo_conn.execute(f"""
        UPDATE grid SET geom = ST_Multi(ST_Buffer(geom::geography, -20)::geometry)
        WHERE code = ({ONE_BASIC_GRID})""")
    report = check_topology(demo_conn)
    gap_parents = {f["parent_code"] for f in report["gaps"]}
    code = demo_conn.execute(ONE_BASIC_GRID).fetchone()[0]
    assert code[:12] in gap_parents  # its community is no longer covered
    assert not report["overlaps"]


def test_sliver_below_threshold_is_not_a_problem(demo_conn):
    demo_conn.execute(f"""
        UPDATE grid SET geom = ST_Multi(ST_Buffer(geom::geography, 0.0001)::geometry)
        WHERE code = ({ONE_BASIC_GRID})""")
    report = check_topology(demo_conn, min_area_m2=1.0)
    assert report["overlaps"] == [] and report["outside"] == []
