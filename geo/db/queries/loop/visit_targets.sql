-- What a grid worker visits: the buildings of their grids (by standard address) and the key
-- places inside them. kind ('b' building, 'p' key place), id, name.
SELECT 'b' AS kind, b.id, b.standard_address AS name
FROM building_assignment a JOIN building b ON b.id = a.building_id
WHERE a.grid_id = ANY (%(grid_ids)s)
UNION ALL
SELECT 'p', k.id, k.name
FROM key_place k JOIN grid_current g ON g.is_basic AND ST_Contains(g.geom, k.geom)
WHERE g.id = ANY (%(grid_ids)s)
ORDER BY 1 DESC, 3
