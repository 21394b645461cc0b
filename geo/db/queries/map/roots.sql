-- The areas at the top of the hierarchy (normally the one city), with their extent.
SELECT CASE level WHEN 1 THEN 'city' WHEN 2 THEN 'county' WHEN 3 THEN 'township'
                  ELSE 'community' END AS kind,
       code, name, ST_XMin(geom::box2d) AS west, ST_YMin(geom::box2d) AS south,
       ST_XMax(geom::box2d) AS east, ST_YMax(geom::box2d) AS north
FROM admin_area
WHERE parent_id IS NULL
ORDER BY level, code
