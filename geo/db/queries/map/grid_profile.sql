-- A basic grid's facts for its profile: households, kind, its community, and what lies in it.
SELECT g.code, g.name, g.households, g.kind, g.exclusive_type, a.name AS community,
       (SELECT count(*) FROM micro_grid_current m WHERE m.grid_code = g.code) AS micro_grids,
       (SELECT count(*) FROM camera c WHERE ST_Intersects(c.geom, g.geom)) AS cameras,
       (SELECT count(*) FROM key_place k WHERE ST_Intersects(k.geom, g.geom)) AS key_places
FROM grid_current g LEFT JOIN admin_area a ON a.id = g.community_id
WHERE g.code = %(code)s AND g.is_basic
