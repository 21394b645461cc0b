-- The daily facts of the basic grid %(code)s in the window [%(scope_start)s, %(scope_end)s),
-- each row with its micro-grid (the grid's children on the map; none when the case has no
-- micro-grid). States as in facts/area_total.
WITH t AS ({today}),
g AS (SELECT id, county_code FROM grid_current WHERE code = %(code)s)  -- the county leads the facts' key
SELECT m.code AS child, f.day, f.category_code, f.source,
       CASE WHEN f.closed THEN 'closed' WHEN f.deadline_day < t.today THEN 'overdue' ELSE 'open' END AS state,
       f.n
FROM t, g JOIN case_grid_day f ON f.county_code = g.county_code AND f.grid_id = g.id
LEFT JOIN micro_grid m ON m.id = f.micro_grid_id
WHERE f.day >= %(scope_start)s AND f.day < %(scope_end)s AND (f.closed OR f.deadline_day <> t.today)
UNION ALL
SELECT m.code, case_fact_day(a.reported_at), a.category_code, a.source,
       CASE WHEN a.deadline < now() THEN 'overdue' ELSE 'open' END, 1
FROM t, g JOIN case_assignment a ON a.grid_id = g.id
LEFT JOIN micro_grid m ON m.id = a.micro_grid_id
WHERE NOT a.closed AND a.deadline >= t.day_start AND a.deadline < t.day_stop
  AND case_fact_day(a.reported_at) >= %(scope_start)s AND case_fact_day(a.reported_at) < %(scope_end)s
