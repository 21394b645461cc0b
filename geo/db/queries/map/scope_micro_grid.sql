-- The placed cases inside a micro-grid, each with its building. Found through the grid:
-- case_assignment is indexed by grid only.
SELECT a.case_id, b.code AS child
FROM micro_grid_current m
JOIN grid_current g ON g.code = m.grid_code
JOIN case_assignment a ON a.grid_id = g.id AND a.micro_grid_id = m.id
LEFT JOIN building b ON b.id = a.building_id
WHERE m.code = %(code)s
