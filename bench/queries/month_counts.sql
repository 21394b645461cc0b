-- Benchmark backtest: cases per grid in the N days before a month end and in the N days after.
SELECT a.grid_id,
       count(*) FILTER (WHERE c.reported_at <= (%(month_end)s::date + 1)::timestamptz) AS last,
       count(*) FILTER (WHERE c.reported_at > (%(month_end)s::date + 1)::timestamptz) AS next
FROM cases c JOIN case_assignment a ON a.case_id = c.id
WHERE a.status = 'assigned'
  AND c.reported_at > (%(month_end)s::date + 1)::timestamptz - make_interval(days => %(days)s)
  AND c.reported_at <= (%(month_end)s::date + 1)::timestamptz + make_interval(days => %(days)s)
GROUP BY a.grid_id
