-- The unit's key figures from its facts (as map/kpis counts them from its cases): cases in the
-- date range, of today and of the last 7 days (whatever the range), and of those in the range
-- how many are open, overdue, closed. Today and the week end with today (the window may run
-- past it: geo/map/compare.py reads an earlier today with a later range).
SELECT coalesce(sum(s.n) FILTER (WHERE in_range), 0)::bigint AS cases,
       coalesce(sum(s.n) FILTER (WHERE s.day = %(today)s), 0)::bigint AS today,
       coalesce(sum(s.n) FILTER (WHERE s.day >= %(week_start)s AND s.day <= %(today)s), 0)::bigint AS week,
       coalesce(sum(s.n) FILTER (WHERE in_range AND s.state <> 'closed'), 0)::bigint AS open,
       coalesce(sum(s.n) FILTER (WHERE in_range AND s.state = 'overdue'), 0)::bigint AS overdue,
       coalesce(sum(s.n) FILTER (WHERE in_range AND s.state = 'closed'), 0)::bigint AS closed
FROM ({facts}) s
CROSS JOIN LATERAL (SELECT s.day >= %(start)s AND s.day < %(end)s AS in_range) r
WHERE s.day >= least(%(start)s, %(week_start)s) AND {fact_filter}
