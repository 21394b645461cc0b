-- The placed cases under every top-level area (several cities, no single root) reported in
-- the scope's window, each with the child it falls in. Read by date first (cases_reported_idx): at the
-- top, the window's cases are a small part of all placements, while asking grid by grid
-- would probe every grid of the city.
SELECT a.case_id, g.child
FROM cases w
JOIN case_assignment a ON a.case_id = w.id
JOIN unnest(%(grid_ids)s::int[], %(children)s::text[]) AS g (grid_id, child) ON g.grid_id = a.grid_id
WHERE w.reported_at >= %(scope_start)s AND w.reported_at < %(scope_end)s
