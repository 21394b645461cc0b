"""The point layers of a unit hold what lies inside the unit, never what its box catches of
a neighbour (a township leader must not see the next township's centres or cameras)."""

import pytest
import shapely

from geo.db.connection import connect
from geo.map.points import layer_points
from geo.shared.units import find_unit


@pytest.mark.parametrize("layer", ["places", "cameras", "centres"])
def test_a_townships_points_lie_inside_the_township(demo_db, layer):
    with connect(demo_db) as conn:
        inside = outside = 0
        for (code,) in conn.execute("SELECT code FROM admin_area WHERE level = 3 ORDER BY code"):
            unit = find_unit(conn, code)
            shape = shapely.from_wkb(
                conn.execute("SELECT ST_AsBinary(geom) FROM admin_area WHERE code = %s", [code]).fetchone()[0]
            )
            points = layer_points(conn, layer, unit)["features"]
            inside += len(points)
            # The points travel rounded to 5 decimals (about a metre): a tolerance of as much.
            outside += sum(not shape.buffer(1e-5).covers(shapely.Point(p["geometry"]["coordinates"])) for p in points)
            in_box = conn.execute(
                f"SELECT count(*) FROM {'key_place' if layer == 'places' else 'camera' if layer == 'cameras' else 'centre'}"
                " WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
                [unit.west, unit.south, unit.east, unit.north],
            ).fetchone()[0]
            assert len(points) <= in_box
    assert inside > 0 and outside == 0
