-- The administrative areas of one level inside the presented session's jurisdiction (an area
-- above it is not inside: the services give what lies within, not the breadcrumb's path).
SELECT a.code AS fid, a.geom, jsonb_build_object(
    'code', a.code, 'name', a.name, 'level', a.level,
    'parent', (SELECT p.code FROM admin_area p WHERE p.id = a.parent_id)) AS properties
FROM admin_area a, scope
WHERE a.level = %(level)s AND (scope.whole OR a.code = ANY (scope.codes))
