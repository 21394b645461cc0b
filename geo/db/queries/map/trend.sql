-- Cases per day (or week) of the date range under the filters, with how many are closed.
SELECT date_trunc(%(bucket)s, s.reported_at)::date AS period, count(*) AS cases,
       count(*) FILTER (WHERE s.closed) AS closed
FROM ({scope}) s
WHERE s.reported_at >= %(start)s AND s.reported_at < %(end)s AND {case_filter}
GROUP BY 1 ORDER BY 1
