-- The scope's cases reported in the last %(window_h)s hours that were placed at or after
-- %(since)s (NULL: all of them), newest first, at most %(limit)s: the wall's live layer and
-- its ticker. Read by date first (case_assignment_reported_idx): the live window is a few
-- hundred cases of a city's day, among which the placement time picks the new ones.
SELECT c.id, c.code, c.category_code AS category, c.source, c.summary, c.reported_at,
       CASE WHEN c.status = 'closed' THEN 'closed' WHEN c.deadline < now() THEN 'overdue' ELSE 'open' END AS state,
       g.name AS grid_name,
       round(ST_X(p.point)::numeric, 5) AS lon, round(ST_Y(p.point)::numeric, 5) AS lat
FROM case_assignment a
JOIN cases c ON c.id = a.case_id
JOIN grid g ON g.id = a.grid_id
CROSS JOIN LATERAL (SELECT coalesce(a.point, c.geom) AS point) p
WHERE a.reported_at >= now() - make_interval(hours => %(window_h)s) AND a.grid_id IS NOT NULL
  -- A report time in the future is a clock error (or tomorrow's demo data), not the latest case.
  AND a.reported_at <= now()
  AND (%(grid_ids)s::int[] IS NULL OR a.grid_id = ANY (%(grid_ids)s))
  AND (%(since)s::timestamptz IS NULL OR a.assigned_at >= %(since)s)
  AND p.point IS NOT NULL
ORDER BY c.reported_at DESC, c.id DESC
LIMIT %(limit)s
