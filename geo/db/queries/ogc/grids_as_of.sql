-- The grids as they were at %(at)s (the `datetime` of the items): the versions valid then, of the
-- jurisdiction's communities (or its own grid), as geo/boundaries/history.py keeps them.
SELECT g.code AS fid, g.geom, jsonb_build_object(
    'code', g.code, 'name', g.name, 'level', g.level, 'is_basic', g.is_basic, 'kind', g.kind,
    'exclusive_type', g.exclusive_type, 'parent', g.parent_code, 'households', g.households, 'community', a.code,
    'valid_from', g.valid_from, 'valid_to', g.valid_to) AS properties
FROM grid g JOIN admin_area a ON a.id = g.community_id, scope
WHERE g.valid_from <= %(at)s AND (g.valid_to IS NULL OR g.valid_to > %(at)s)
  AND (scope.whole OR a.code = ANY (scope.codes) OR g.code = ANY (scope.codes))
