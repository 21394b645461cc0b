-- Key places inside the jurisdiction's outline.
SELECT p.code AS fid, p.geom, jsonb_build_object(
    'code', p.code, 'name', p.name, 'category', p.category, 'address', p.address) AS properties
FROM key_place p, scope
WHERE scope.whole OR ST_Intersects(p.geom, scope.outline)
