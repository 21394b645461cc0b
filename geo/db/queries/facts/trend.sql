-- Cases per day (or week) of the date range under the filters, with how many are closed.
SELECT date_trunc(%(bucket)s, s.day)::date AS period, sum(s.n)::bigint AS cases,
       coalesce(sum(s.n) FILTER (WHERE s.state = 'closed'), 0)::bigint AS closed
FROM ({facts}) s
WHERE s.day >= %(start)s AND s.day < %(end)s AND {fact_filter}
GROUP BY 1 ORDER BY 1
