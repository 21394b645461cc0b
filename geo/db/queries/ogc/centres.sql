-- The comprehensive-governance centres of the jurisdiction's areas.
SELECT a.code AS fid, c.geom, jsonb_build_object(
    'area', a.code, 'name', c.name, 'level', c.level, 'address', c.address) AS properties
FROM centre c JOIN admin_area a ON a.id = c.admin_area_id, scope
WHERE scope.whole OR a.code = ANY (scope.codes)
