-- The current grids inside the jurisdiction: its basic grids, and the grids above them (level
-- 1 and 2 grids) of its communities.
SELECT g.code AS fid, g.geom, jsonb_build_object(
    'code', g.code, 'name', g.name, 'level', g.level, 'is_basic', g.is_basic, 'kind', g.kind, 'exclusive_type', g.exclusive_type, 'parent', g.parent_code,
    'households', g.households, 'community', a.code) AS properties
FROM grid_current g JOIN admin_area a ON a.id = g.community_id, scope
WHERE scope.whole OR g.id = ANY (scope.grid_ids) OR (NOT g.is_basic AND a.code = ANY (scope.codes))
