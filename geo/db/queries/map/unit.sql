-- One unit of the drill-down path by its code: an admin area, a basic grid, a micro-grid or
-- a building, with its parent's code and its bounding box (lon/lat). A micro-grid has no
-- name: it goes by the last three digits of its code, as on the map.
SELECT kind, code, name, parent_code,
       ST_XMin(box) AS west, ST_YMin(box) AS south, ST_XMax(box) AS east, ST_YMax(box) AS north
FROM (
    SELECT CASE a.level WHEN 1 THEN 'city' WHEN 2 THEN 'county' WHEN 3 THEN 'township'
                        ELSE 'community' END AS kind,
           a.code, a.name, p.code AS parent_code, a.geom::box2d AS box
    FROM admin_area a LEFT JOIN admin_area p ON p.id = a.parent_id
    WHERE a.code = %(code)s
    UNION ALL
    SELECT 'grid', g.code, g.name, a.code, g.geom::box2d
    FROM grid_current g LEFT JOIN admin_area a ON a.id = g.community_id
    WHERE g.code = %(code)s AND g.is_basic
    UNION ALL
    SELECT 'micro_grid', m.code, right(m.code, 3), m.grid_code, m.geom::box2d
    FROM micro_grid_current m
    WHERE m.code = %(code)s
    UNION ALL
    SELECT 'building', b.code, b.standard_address, b.micro_grid_code, b.footprint::box2d
    FROM building b
    WHERE b.code = %(code)s
) unit
LIMIT 1
