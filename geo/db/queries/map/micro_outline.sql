-- The micro-grid a micro-grid or building view shows (its children are buildings, which do
-- not outline it): the micro-grid's own shape, or the building's micro-grid's, as GeoJSON.
SELECT m.code, ST_AsGeoJSON(m.geom, 6) FROM micro_grid_current m WHERE m.code = %(code)s
UNION ALL
SELECT m.code, ST_AsGeoJSON(m.geom, 6)
FROM building b JOIN micro_grid_current m ON m.code = b.micro_grid_code WHERE b.code = %(code)s
LIMIT 1
