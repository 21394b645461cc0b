-- How many cases each view of the dispatch desk holds inside the jurisdiction ({counts}:
-- one count(*) FILTER (WHERE …) per view, over the open cases and the recently closed).
SELECT {counts}
FROM cases c
LEFT JOIN case_assignment a ON a.case_id = c.id
WHERE (c.status <> 'closed' OR c.closed_at > now() - interval '30 days')
  AND (%(whole)s OR coalesce(a.grid_id, a.nearest_grid_id) = ANY (%(grid_ids)s))
