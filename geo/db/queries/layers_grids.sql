-- Current basic grids (the cells cases are assigned to): all of them, or those meeting one
-- of the boxes. Exclusive grids (schools, hospitals, parks) win where they overlap others.
SELECT id, code, kind = 'exclusive' AS exclusive, ST_AsBinary(geom) AS wkb
FROM grid_current
WHERE is_basic AND (%(boxes)s::text[] IS NULL OR id IN (
    SELECT g.id FROM grid_current g JOIN unnest(%(boxes)s::text[]) AS b(wkt)
    ON g.geom && ST_GeomFromText(b.wkt, 4326)))
ORDER BY code
