-- The naive assignment written where ours writes: one INSERT … SELECT joining each point to
-- the grid that covers it (one row per point: the lowest code on a shared edge).
INSERT INTO case_assignment (case_id, status, method, confidence, point, grid_id, boundary_version_id, reported_at,
                             category_code, source, closed, deadline)
SELECT DISTINCT ON (c.id) c.id, 'assigned', 'coordinates', 1, c.geom, g.id, g.version_id, c.reported_at,
       c.category_code, c.source, c.status = 'closed', c.deadline
FROM cases c JOIN grid_current g ON g.is_basic AND ST_Covers(g.geom, c.geom)
WHERE c.id >= %s
ORDER BY c.id, g.code
