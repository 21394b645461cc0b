-- The unit's key figures under the filters: cases in the date range, of today and of the last
-- 7 days (whatever the range), and of those in the range how many are open, overdue, closed.
-- Today and the week end with today (as facts/kpis).
SELECT count(*) FILTER (WHERE in_range) AS cases,
       count(*) FILTER (WHERE s.reported_at >= %(today)s AND s.reported_at < %(today)s::date + 1) AS today,
       count(*) FILTER (WHERE s.reported_at >= %(week_start)s AND s.reported_at < %(today)s::date + 1) AS week,
       count(*) FILTER (WHERE in_range AND NOT s.closed) AS open,
       count(*) FILTER (WHERE in_range AND NOT s.closed AND s.deadline < now()) AS overdue,
       count(*) FILTER (WHERE in_range AND s.closed) AS closed
FROM ({scope}) s
CROSS JOIN LATERAL (SELECT s.reported_at >= %(start)s AND s.reported_at < %(end)s AS in_range) r
WHERE s.reported_at >= least(%(start)s, %(week_start)s) AND {case_filter}
