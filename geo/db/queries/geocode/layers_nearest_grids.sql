-- The few basic grids nearest to a point, for points that may lie outside every grid.
SELECT id, code, kind = 'exclusive' AS exclusive, ST_AsBinary(geom) AS wkb
FROM grid_current
WHERE is_basic
ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)
LIMIT 5
