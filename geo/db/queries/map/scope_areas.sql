-- The placed cases inside an admin area reported in the scope's window, each with the child
-- area (or basic grid) it falls in and the case's figures as its placement carries them
-- (migration 0014). The area's grids come as two arrays from `map/area_grids` (run first):
-- with their number known, the planner reads a small area's cases through the (grid, date)
-- index, a large one's by a scan.
SELECT a.case_id, g.child, a.reported_at, a.category_code, a.source, a.closed, a.deadline
FROM unnest(%(grid_ids)s::int[], %(children)s::text[]) AS g (grid_id, child)
JOIN case_assignment a ON a.grid_id = g.grid_id
    AND a.reported_at >= %(scope_start)s AND a.reported_at < %(scope_end)s
