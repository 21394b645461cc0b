-- The unit's key figures under the filters: cases in the date range, of today and of the last
-- 7 days (whatever the range), and of those in the range how many are open, overdue, closed.
SELECT count(*) FILTER (WHERE in_range) AS cases,
       count(*) FILTER (WHERE c.reported_at >= %(today)s) AS today,
       count(*) FILTER (WHERE c.reported_at >= %(week_start)s) AS week,
       count(*) FILTER (WHERE in_range AND c.status <> 'closed') AS open,
       count(*) FILTER (WHERE in_range AND c.status <> 'closed' AND c.deadline < now()) AS overdue,
       count(*) FILTER (WHERE in_range AND c.status = 'closed') AS closed
FROM ({scope}) s
JOIN cases c ON c.id = s.case_id
CROSS JOIN LATERAL (SELECT c.reported_at >= %(start)s AND c.reported_at < %(end)s AS in_range) r
WHERE c.reported_at >= least(%(start)s, %(week_start)s) AND {case_filter}
