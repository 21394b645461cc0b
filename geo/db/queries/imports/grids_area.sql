-- The area whose cases may move after a grid import: old and new shapes of changed grids.
SELECT ST_AsText(ST_Union(geom))
FROM (SELECT geom FROM grid_change UNION ALL SELECT current_geom FROM grid_change) shapes
WHERE geom IS NOT NULL;
