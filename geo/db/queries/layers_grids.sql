-- Current basic grids (the cells cases are assigned to), optionally only those meeting a box.
-- Exclusive grids (schools, hospitals, parks) win over regular grids where both cover a point.
SELECT id, code, kind = 'exclusive' AS exclusive, ST_AsBinary(geom) AS wkb
FROM grid_current
WHERE is_basic AND (%(bbox)s::text IS NULL OR geom && ST_GeomFromText(%(bbox)s, 4326))
ORDER BY code
