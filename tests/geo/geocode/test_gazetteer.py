"""The gazetteer's area names of each building, found in memory, are those PostGIS gives."""

from geo.db.connection import load_query
from geo.geocode import gazetteer

# The definition: the community whose outline covers a point on the building's surface, the
# lowest code where several do, with the names of the areas above it.
BY_POSTGIS = """
SELECT array_remove(ARRAY[city.name, county.name, township.name, community.name], NULL)
FROM building b
LEFT JOIN LATERAL (
    SELECT a.name, a.parent_id FROM admin_area a
    WHERE a.level = 4 AND ST_Covers(a.geom, ST_PointOnSurface(b.footprint))
    ORDER BY a.code LIMIT 1
) community ON true
LEFT JOIN admin_area township ON township.id = community.parent_id
LEFT JOIN admin_area county ON county.id = township.parent_id
LEFT JOIN admin_area city ON city.id = county.parent_id
ORDER BY b.id
"""


def test_each_building_takes_the_area_names_of_the_community_around_it(demo_conn):
    rows = demo_conn.execute(load_query("geocode/gazetteer_buildings")).fetchall()
    expected = [row[0] for row in demo_conn.execute(BY_POSTGIS)]
    assert len(rows) == len(expected) > 1000
    assert gazetteer._areas_around(demo_conn, rows) == expected


def test_a_building_outside_every_community_or_without_a_point_has_no_area_names(demo_conn):
    far_away, empty_footprint = (0, "某路1号", 0.0, 0.0), (1, "某路2号", float("nan"), float("nan"))
    assert gazetteer._areas_around(demo_conn, [far_away, empty_footprint]) == [[], []]
    assert gazetteer._areas_around(demo_conn, []) == []
