"""A tiny hand-made world with every awkward case of point assignment, in a real PostGIS.

Near (114.00, 33.50), where 0.001° is about 93 m east-west and 111 m north-south:

    G1 ...01  [114.000, 114.002] x [33.500, 33.502], with a hole that is the school grid GX,
              split into micro-grids at x = 114.001
    G2 ...02  [114.002, 114.004] x [33.500, 33.502], sharing the edge x = 114.002 with G1;
              the exclusive grid GY is drawn over part of it
    GX ...03  exclusive (school), exactly G1's hole
    GY ...04  exclusive (hospital), [114.003, 114.0035] x [33.5005, 33.501], overlapping G2
    G5 ...05  a multipolygon of two boxes, [114.005, 114.006] and [114.007, 114.008]
Buildings: B1 in G2, B2 in G1 right next to the shared edge, B3 (a village house) in G5.
"""

import pytest
import shapely

from geo.db.connection import connect

COMMUNITY = "411802001001"
AREAS = [
    (1, "411800", "测试市", "city", None),
    (2, "411802", "和平区", "district", "411800"),
    (3, "411802001", "新华街道", "street", "411802"),
    (4, COMMUNITY, "幸福社区", "community", "411802001"),
]
HOLE = shapely.box(114.0005, 33.5005, 114.001, 33.501)
GRIDS = {
    COMMUNITY + "0001": ("regular", None, shapely.box(114.000, 33.500, 114.002, 33.502).difference(HOLE)),
    COMMUNITY + "0002": ("regular", None, shapely.box(114.002, 33.500, 114.004, 33.502)),
    COMMUNITY + "0003": ("exclusive", "school", HOLE),
    COMMUNITY + "0004": ("exclusive", "hospital", shapely.box(114.003, 33.5005, 114.0035, 33.501)),
    COMMUNITY + "0005": (
        "regular",
        None,
        shapely.MultiPolygon(
            [shapely.box(114.005, 33.500, 114.006, 33.501), shapely.box(114.007, 33.500, 114.008, 33.501)]
        ),
    ),
}
BUILDINGS = {
    "B1": (
        COMMUNITY + "0002001",
        shapely.box(114.0025, 33.5010, 114.0027, 33.5012),
        "测试市和平区和平路8号幸福花园1栋",
    ),
    "B2": (
        COMMUNITY + "0001002",
        shapely.box(114.0017, 33.5010, 114.00195, 33.5012),
        "测试市和平区和平路6号锦绣家园2栋",
    ),
    "B3": (
        COMMUNITY + "0005001",
        shapely.box(114.0052, 33.5002, 114.0054, 33.5004),
        "测试市和平区新华街道幸福社区3组12号",
    ),
}


def _micro_grids() -> dict:
    micro = {
        COMMUNITY + "0001001": (COMMUNITY + "0001", shapely.box(114.000, 33.500, 114.001, 33.502).difference(HOLE)),
        COMMUNITY + "0001002": (COMMUNITY + "0001", shapely.box(114.001, 33.500, 114.002, 33.502)),
    }
    for code, (_, _, geom) in GRIDS.items():
        if not code.endswith("0001"):
            micro[code + "001"] = (code, geom)
    return micro


@pytest.fixture(scope="session")
def tiny_world(fresh_database) -> str:
    """URL of a database holding the tiny world (read-only for tests: roll back changes)."""
    url = fresh_database()
    with connect(url) as conn:
        version = conn.execute(
            "INSERT INTO boundary_version (author, note) VALUES ('test', 'tiny') RETURNING id"
        ).fetchone()[0]
        ids = {}
        for level, code, name, kind, parent in AREAS:
            ids[code] = conn.execute(
                "INSERT INTO admin_area (level, code, name, kind, parent_id, is_urban, geom) "
                "VALUES (%s, %s, %s, %s, %s, true, ST_Multi(ST_GeomFromText(%s, 4326))) RETURNING id",
                [level, code, name, kind, ids.get(parent), shapely.box(113.99, 33.49, 114.02, 33.51).wkt],
            ).fetchone()[0]
        for code, (kind, exclusive_type, geom) in GRIDS.items():
            conn.execute(
                "INSERT INTO grid (code, name, level, is_basic, kind, exclusive_type, community_id, geom, version_id) "
                "VALUES (%s, %s, 1, true, %s, %s, %s, ST_Multi(ST_GeomFromText(%s, 4326)), %s)",
                [code, "网格" + code[-2:], kind, exclusive_type, ids[COMMUNITY], geom.wkt, version],
            )
        for code, (grid_code, geom) in _micro_grids().items():
            conn.execute(
                "INSERT INTO micro_grid (code, grid_code, kind, geom, version_id) "
                "VALUES (%s, %s, 'building', ST_Multi(ST_GeomFromText(%s, 4326)), %s)",
                [code, grid_code, geom.wkt, version],
            )
        for name, (micro_code, footprint, address) in BUILDINGS.items():
            conn.execute(
                "INSERT INTO building (code, micro_grid_code, kind, standard_address, floors, unit_count, footprint) "
                "VALUES (%s, %s, 'residential', %s, 6, 2, ST_GeomFromText(%s, 4326))",
                [name, micro_code, address, footprint.wkt],
            )
    return url


@pytest.fixture
def tiny_conn(tiny_world):
    """A connection to the tiny world inside a transaction that is rolled back."""
    with connect(tiny_world) as conn:
        yield conn
        conn.rollback()


def building_id(conn, code: str) -> int:
    return conn.execute("SELECT id FROM building WHERE code = %s", [code]).fetchone()[0]
