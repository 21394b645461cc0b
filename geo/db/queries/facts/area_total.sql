-- The daily facts of the admin area %(code)s (NULL: of every top-level area) in the window
-- [%(scope_start)s, %(scope_end)s): child (none), day, category_code, source, state, n. The
-- state is derived now: open past its deadline day is overdue; the open cases due today are
-- read from their placements (a few), where the hour decides.
WITH t AS ({today}),
areas AS (  -- with the county that leads the facts' key (migration 0025)
    SELECT id, county_of_area(id) AS county_code FROM admin_area
    WHERE CASE WHEN %(code)s::text IS NULL THEN parent_id IS NULL ELSE code = %(code)s END
)
SELECT NULL::text AS child, f.day, f.category_code, f.source,
       CASE WHEN f.closed THEN 'closed' WHEN f.deadline_day < t.today THEN 'overdue' ELSE 'open' END AS state,
       f.n
FROM t, areas JOIN case_area_day f ON f.county_code = areas.county_code AND f.area_id = areas.id
WHERE f.day >= %(scope_start)s AND f.day < %(scope_end)s AND (f.closed OR f.deadline_day <> t.today)
UNION ALL
SELECT NULL, case_fact_day(a.reported_at), a.category_code, a.source,
       CASE WHEN a.deadline < now() THEN 'overdue' ELSE 'open' END, 1
FROM t, case_assignment a
JOIN case_fact_area_grid l ON l.grid_id = a.grid_id
WHERE NOT a.closed AND a.deadline >= t.day_start AND a.deadline < t.day_stop
  AND l.area_id IN (SELECT id FROM areas)
  AND case_fact_day(a.reported_at) >= %(scope_start)s AND case_fact_day(a.reported_at) < %(scope_end)s
