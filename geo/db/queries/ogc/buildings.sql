-- The buildings of the jurisdiction's micro-grids, with their standard address.
SELECT b.code AS fid, b.footprint AS geom, jsonb_build_object(
    'code', b.code, 'standard_address', b.standard_address, 'kind', b.kind, 'floors', b.floors,
    'units', b.unit_count, 'households', b.households, 'micro_grid', b.micro_grid_code) AS properties
FROM building b, scope
-- A test per building, not a join: the page is then read along building's code index.
WHERE scope.whole OR EXISTS (
    SELECT FROM micro_grid_current m JOIN grid_current g ON g.code = m.grid_code
    WHERE m.code = b.micro_grid_code AND g.id = ANY (scope.grid_ids))
