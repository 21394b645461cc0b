-- The daily facts of the children of the admin area %(code)s (NULL: the top-level areas) in
-- the window [%(scope_start)s, %(scope_end)s), each row with its child: a sub-area, or a basic
-- grid hanging directly below the area (as map/area_grids sees them). States as in
-- facts/area_total.
WITH t AS ({today}),
top AS (SELECT id FROM admin_area WHERE code = %(code)s),
kids AS (  -- with the county that leads the facts' key (migration 0025)
    SELECT a.id, a.code, county_of_area(a.id) AS county_code FROM admin_area a
    WHERE CASE WHEN %(code)s::text IS NULL THEN a.parent_id IS NULL ELSE a.parent_id = (SELECT id FROM top) END
),
grids AS (
    SELECT g.id, g.code, g.county_code FROM top JOIN grid g ON g.community_id = top.id
    WHERE g.valid_to IS NULL AND g.is_basic
)
SELECT k.code AS child, f.day, f.category_code, f.source,
       CASE WHEN f.closed THEN 'closed' WHEN f.deadline_day < t.today THEN 'overdue' ELSE 'open' END AS state,
       f.n
FROM t, kids k JOIN case_area_day f ON f.county_code = k.county_code AND f.area_id = k.id
WHERE f.day >= %(scope_start)s AND f.day < %(scope_end)s AND (f.closed OR f.deadline_day <> t.today)
UNION ALL
SELECT g.code, f.day, f.category_code, f.source,
       CASE WHEN f.closed THEN 'closed' WHEN f.deadline_day < t.today THEN 'overdue' ELSE 'open' END,
       f.n
FROM t, grids g JOIN case_grid_day f ON f.county_code = g.county_code AND f.grid_id = g.id
WHERE f.day >= %(scope_start)s AND f.day < %(scope_end)s AND (f.closed OR f.deadline_day <> t.today)
UNION ALL
SELECT coalesce(k.code, g.code), case_fact_day(a.reported_at), a.category_code, a.source,
       CASE WHEN a.deadline < now() THEN 'overdue' ELSE 'open' END, 1
FROM t, case_assignment a
LEFT JOIN LATERAL (
    SELECT k.code FROM case_fact_area_grid l JOIN kids k ON k.id = l.area_id WHERE l.grid_id = a.grid_id LIMIT 1
) k ON true
LEFT JOIN grids g ON g.id = a.grid_id
WHERE NOT a.closed AND a.deadline >= t.day_start AND a.deadline < t.day_stop
  AND (k.code IS NOT NULL OR g.code IS NOT NULL)
  AND case_fact_day(a.reported_at) >= %(scope_start)s AND case_fact_day(a.reported_at) < %(scope_end)s
