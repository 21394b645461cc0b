-- The current micro-grids of the jurisdiction's basic grids.
SELECT m.code AS fid, m.geom, jsonb_build_object('code', m.code, 'kind', m.kind, 'households', m.households, 'grid', m.grid_code) AS properties
FROM micro_grid_current m, scope
WHERE scope.whole OR EXISTS (SELECT FROM grid_current g WHERE g.code = m.grid_code AND g.id = ANY (scope.grid_ids))
