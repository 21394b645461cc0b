-- Cases per child of the unit in the date range [%(start)s, %(end)s) under the filters.
SELECT s.child AS code, count(*) AS cases,
       count(*) FILTER (WHERE NOT s.closed) AS open,
       count(*) FILTER (WHERE NOT s.closed AND s.deadline < now()) AS overdue
FROM ({scope}) s
WHERE s.reported_at >= %(start)s AND s.reported_at < %(end)s AND {case_filter} AND s.child IS NOT NULL
GROUP BY s.child
