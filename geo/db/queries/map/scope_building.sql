-- The placed cases of one building reported in the scope's window, with the case's figures
-- as its placement carries them (migration 0014). Found through its grid: case_assignment is
-- indexed by grid and date.
SELECT a.case_id, b.code AS child, a.reported_at, a.category_code, a.source, a.closed, a.deadline
FROM building b
JOIN micro_grid_current m ON m.code = b.micro_grid_code
JOIN grid_current g ON g.code = m.grid_code
JOIN case_assignment a ON a.grid_id = g.id AND a.building_id = b.id
    AND a.reported_at >= %(scope_start)s AND a.reported_at < %(scope_end)s
WHERE b.code = %(code)s
