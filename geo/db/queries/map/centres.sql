-- Comprehensive-governance centres in the box and inside the unit's shape (map/unit_shape) down to admin level %(max_level)s.
SELECT a.code, c.name, c.level::text AS kind, round(ST_X(c.geom)::numeric, 5) AS lon,
       round(ST_Y(c.geom)::numeric, 5) AS lat
FROM centre c JOIN admin_area a ON a.id = c.admin_area_id
WHERE c.geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326) AND c.level <= %(max_level)s
  AND (%(code)s::text IS NULL OR ST_Intersects(c.geom, ({shape})))
ORDER BY c.level, a.code LIMIT %(limit)s
