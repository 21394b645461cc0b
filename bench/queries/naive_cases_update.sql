-- The naive assignment of the issue: one UPDATE of the cases with the grid covering each.
UPDATE naive_cases c SET grid_id = g.id
FROM grid_current g
WHERE g.is_basic AND ST_Covers(g.geom, c.geom)
