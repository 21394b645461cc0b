-- The placed cases inside a micro-grid reported in the scope's window, each with its
-- building and the case's figures as its placement carries them (migration 0014). Found
-- through the grid: case_assignment is indexed by grid and date.
SELECT a.case_id, b.code AS child, a.reported_at, a.category_code, a.source, a.closed, a.deadline
FROM micro_grid_current m
JOIN grid_current g ON g.code = m.grid_code
JOIN case_assignment a ON a.grid_id = g.id AND a.micro_grid_id = m.id
    AND a.reported_at >= %(scope_start)s AND a.reported_at < %(scope_end)s
LEFT JOIN building b ON b.id = a.building_id
WHERE m.code = %(code)s
