-- Benchmark backtest: per grid, the cases closed in the 90 days before a month end that were
-- "closed but not solved" as far as was known at that month end: a later report of the same
-- category at the same building, after the close and by the month end (no look ahead).
SELECT a.grid_id, count(*) AS not_solved
FROM cases c
JOIN case_assignment a ON a.case_id = c.id
WHERE a.status = 'assigned' AND c.status = 'closed' AND c.merged_into IS NULL AND a.building_id IS NOT NULL
  AND c.closed_at > (%(month_end)s::date + 1)::timestamptz - interval '90 days'
  AND c.closed_at <= (%(month_end)s::date + 1)::timestamptz
  AND EXISTS (
      SELECT FROM case_assignment r JOIN cases rc ON rc.id = r.case_id
      WHERE r.grid_id = a.grid_id AND r.building_id = a.building_id AND r.case_id <> c.id
        AND rc.category_code = c.category_code
        AND r.reported_at > c.closed_at AND r.reported_at <= (%(month_end)s::date + 1)::timestamptz
  )
GROUP BY a.grid_id
