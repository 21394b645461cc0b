SELECT id, code, grid_code, ST_AsBinary(geom) AS wkb
FROM micro_grid_current
WHERE %(bbox)s::text IS NULL OR geom && ST_GeomFromText(%(bbox)s, 4326)
ORDER BY code
