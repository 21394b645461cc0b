-- The naive assignment: one UPDATE joining every point to the grid that covers it.
UPDATE naive_points p SET grid_id = g.id
FROM grid_current g
WHERE g.is_basic AND ST_Covers(g.geom, p.geom)
