-- Cases per child of the unit in the date range [%(start)s, %(end)s) under the filters.
SELECT s.child AS code, count(*) AS cases,
       count(*) FILTER (WHERE c.status <> 'closed') AS open,
       count(*) FILTER (WHERE c.status <> 'closed' AND c.deadline < now()) AS overdue
FROM ({scope}) s
JOIN cases c ON c.id = s.case_id
WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s AND {case_filter} AND s.child IS NOT NULL
GROUP BY s.child
