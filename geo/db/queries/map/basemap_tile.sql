-- The basemap features of one XYZ tile in tile pixels (%(size)s across, y down), clipped with a
-- small buffer: water, county boundaries, roads by class and, from zoom 15, building
-- footprints. Drawn by geo/map/basemap.py, in this order.
WITH tile AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS box,
                     ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 0.05), 4326) AS box_4326)
SELECT layer, class, ST_AsBinary(ST_AsMVTGeom(ST_Transform(geom, 3857), tile.box, %(size)s, 8, true)) AS geom
FROM tile, LATERAL (
    SELECT 1 AS rank, 'water' AS layer, kind AS class, geom FROM basemap.water
    WHERE geom && tile.box_4326
    UNION ALL
    SELECT 2, 'building', kind, footprint FROM building
    WHERE %(z)s >= 15 AND footprint && tile.box_4326
    UNION ALL
    SELECT 3, 'boundary', 'county', ST_Boundary(geom) FROM admin_area
    WHERE level = 2 AND geom && tile.box_4326
    UNION ALL
    SELECT 4, 'road', class, geom FROM basemap.road
    WHERE geom && tile.box_4326
      AND (class IN ('expressway', 'arterial') OR (class = 'secondary' AND %(z)s >= 11) OR %(z)s >= 13)
) feature
ORDER BY rank, CASE class WHEN 'expressway' THEN 5 WHEN 'arterial' THEN 4 WHEN 'secondary' THEN 3
                          WHEN 'local' THEN 2 ELSE 1 END
