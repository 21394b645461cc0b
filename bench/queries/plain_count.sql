-- Benchmark baseline: cases per grid in the year up to the as-of day, nothing else.
SELECT a.grid_id, count(*)
FROM cases c JOIN case_assignment a ON a.case_id = c.id
WHERE a.status = 'assigned'
  AND c.reported_at > (%s::date + 1)::timestamptz - interval '365 days'
GROUP BY a.grid_id
