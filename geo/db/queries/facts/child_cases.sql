-- Cases per child of the unit in the date range [%(start)s, %(end)s) under the filters.
SELECT s.child AS code, sum(s.n)::bigint AS cases,
       coalesce(sum(s.n) FILTER (WHERE s.state <> 'closed'), 0)::bigint AS open,
       coalesce(sum(s.n) FILTER (WHERE s.state = 'overdue'), 0)::bigint AS overdue
FROM ({facts}) s
WHERE s.day >= %(start)s AND s.day < %(end)s AND {fact_filter} AND s.child IS NOT NULL
GROUP BY s.child
