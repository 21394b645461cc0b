-- Cases per day (or week) of the date range under the filters, with how many are closed.
SELECT date_trunc(%(bucket)s, c.reported_at)::date AS period, count(*) AS cases,
       count(*) FILTER (WHERE c.status = 'closed') AS closed
FROM ({scope}) s
JOIN cases c ON c.id = s.case_id
WHERE c.reported_at >= %(start)s AND c.reported_at < %(end)s AND {case_filter}
GROUP BY 1 ORDER BY 1
