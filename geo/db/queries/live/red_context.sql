-- The wall tour's red grid in context: the grid itself, the other basic grids of its
-- community (its neighbours, outlined), and a mask over everything outside the community, so
-- that the wall shows where the grid lies rather than a screen of red. GeoJSON per row.
WITH target AS (SELECT id, geom, community_id FROM grid_current WHERE code = %(code)s),
community AS (SELECT a.geom FROM admin_area a JOIN target t ON a.id = t.community_id)
SELECT 'mask' AS role, ST_AsGeoJSON(ST_Difference(ST_Expand(ST_Envelope(c.geom), 0.5), c.geom), 6) AS geometry
FROM community c
UNION ALL
SELECT 'neighbour', ST_AsGeoJSON(g.geom, 6)
FROM grid_current g JOIN target t ON g.community_id = t.community_id AND g.id <> t.id AND g.is_basic
UNION ALL
SELECT 'target', ST_AsGeoJSON(t.geom, 6) FROM target t
