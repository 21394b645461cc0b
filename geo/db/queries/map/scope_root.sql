-- The placed cases under every top-level area (several cities, no single root) reported in
-- the scope's window, each with the child it falls in and the case's figures as its
-- placement carries them (migration 0014). Read by date first (case_assignment_reported_idx,
-- from the index alone): at the top, asking grid by grid would probe every grid of the
-- province.
SELECT a.case_id, g.child, a.reported_at, a.category_code, a.source, a.closed, a.deadline
FROM case_assignment a
JOIN unnest(%(grid_ids)s::int[], %(children)s::text[]) AS g (grid_id, child) ON g.grid_id = a.grid_id
WHERE a.reported_at >= %(scope_start)s AND a.reported_at < %(scope_end)s AND a.grid_id IS NOT NULL
