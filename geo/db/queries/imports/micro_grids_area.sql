-- The area whose cases may move after a micro-grid import: old and new shapes of changed ones.
SELECT ST_AsText(ST_Union(geom))
FROM (SELECT geom FROM micro_grid_change UNION ALL SELECT current_geom FROM micro_grid_change) shapes
WHERE geom IS NOT NULL;
