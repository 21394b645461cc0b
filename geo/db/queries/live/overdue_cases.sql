-- The scope's open cases longest past their deadline, at most %(limit)s: read from the index
-- of open cases by deadline (cases_open_idx), oldest deadline first.
SELECT c.code, c.category_code AS category, c.summary, c.deadline, g.name AS grid_name,
       round(ST_X(p.point)::numeric, 5) AS lon, round(ST_Y(p.point)::numeric, 5) AS lat
FROM cases c
JOIN case_assignment a ON a.case_id = c.id
JOIN grid g ON g.id = a.grid_id
CROSS JOIN LATERAL (SELECT coalesce(a.point, c.geom) AS point) p
WHERE c.status <> 'closed' AND c.deadline < now()
  AND (%(grid_ids)s::int[] IS NULL OR a.grid_id = ANY (%(grid_ids)s))
ORDER BY c.deadline, c.id
LIMIT %(limit)s
