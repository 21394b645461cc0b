-- The placed cases inside a basic grid reported in the scope's window, each with its
-- micro-grid and the case's figures as its placement carries them (migration 0014).
SELECT a.case_id, m.code AS child, a.reported_at, a.category_code, a.source, a.closed, a.deadline
FROM grid_current g
JOIN case_assignment a ON a.grid_id = g.id
    AND a.reported_at >= %(scope_start)s AND a.reported_at < %(scope_end)s
LEFT JOIN micro_grid m ON m.id = a.micro_grid_id
WHERE g.code = %(code)s
