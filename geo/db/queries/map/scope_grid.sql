-- The placed cases inside a basic grid, each with its micro-grid.
SELECT a.case_id, m.code AS child
FROM grid_current g
JOIN case_assignment a ON a.grid_id = g.id
LEFT JOIN micro_grid m ON m.id = a.micro_grid_id
WHERE g.code = %(code)s
