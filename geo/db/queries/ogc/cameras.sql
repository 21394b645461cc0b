-- Cameras inside the jurisdiction's outline.
SELECT c.code AS fid, c.geom, jsonb_build_object('code', c.code, 'name', c.name, 'kind', c.kind) AS properties
FROM camera c, scope
WHERE scope.whole OR ST_Intersects(c.geom, scope.outline)
