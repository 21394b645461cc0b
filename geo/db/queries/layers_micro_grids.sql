SELECT id, code, grid_code, ST_AsBinary(geom) AS wkb
FROM micro_grid_current
WHERE %(boxes)s::text[] IS NULL OR id IN (
    SELECT m.id FROM micro_grid_current m JOIN unnest(%(boxes)s::text[]) AS b(wkt)
    ON m.geom && ST_GeomFromText(b.wkt, 4326))
ORDER BY code
