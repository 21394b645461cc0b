-- The placed cases of one building reported in the scope's window. Found through its grid:
-- case_assignment is indexed by grid and date only.
SELECT a.case_id, b.code AS child
FROM building b
JOIN micro_grid_current m ON m.code = b.micro_grid_code
JOIN grid_current g ON g.code = m.grid_code
JOIN case_assignment a ON a.grid_id = g.id AND a.building_id = b.id
    AND a.reported_at >= %(scope_start)s AND a.reported_at < %(scope_end)s
WHERE b.code = %(code)s
