-- The children of an admin area on the map: its sub-areas, or its basic grids below a
-- community. With %(code)s NULL (several top-level areas, no single city) the top-level areas.
SELECT a.code, a.name,
       CASE a.level WHEN 1 THEN 'city' WHEN 2 THEN 'county' WHEN 3 THEN 'township'
                    ELSE 'community' END AS kind,
       a.geom
FROM admin_area a
WHERE CASE WHEN %(code)s::text IS NULL THEN a.parent_id IS NULL
           ELSE a.parent_id = (SELECT id FROM admin_area WHERE code = %(code)s) END
UNION ALL
SELECT g.code, g.name, 'grid', g.geom
FROM grid_current g
WHERE g.is_basic AND g.community_id = (SELECT id FROM admin_area WHERE code = %(code)s)
