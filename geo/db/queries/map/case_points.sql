-- Where the unit's cases are drawn (grid level and below), newest first, at most %(limit)s.
SELECT c.code, c.category_code AS category,
       CASE WHEN c.status = 'closed' THEN 'closed' WHEN c.deadline < now() THEN 'overdue' ELSE 'open' END AS state,
       round(ST_X(p.point)::numeric, 5) AS lon, round(ST_Y(p.point)::numeric, 5) AS lat
FROM ({scope}) s
JOIN cases c ON c.id = s.case_id
JOIN case_assignment a ON a.case_id = c.id
CROSS JOIN LATERAL (SELECT coalesce(a.point, c.geom) AS point) p
WHERE s.reported_at >= %(start)s AND s.reported_at < %(end)s AND {case_filter} AND p.point IS NOT NULL
ORDER BY s.reported_at DESC
LIMIT %(limit)s
