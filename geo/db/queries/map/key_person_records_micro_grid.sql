-- The buildings placed in a current micro-grid, found through its grid: building_assignment
-- is indexed by grid.
SELECT a.building_id
FROM micro_grid_current m
JOIN grid_current g ON g.code = m.grid_code
JOIN building_assignment a ON a.grid_id = g.id AND a.micro_grid_id = m.id
WHERE m.code = %(code)s
