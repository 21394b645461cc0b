-- The children of a basic grid on the map: its micro-grids (named by their last digits).
SELECT code, right(code, 3) AS name, 'micro_grid' AS kind, geom
FROM micro_grid_current
WHERE grid_code = %(code)s
