-- The buildings of the jurisdiction's micro-grids, with their standard address.
SELECT b.code AS fid, b.footprint AS geom, jsonb_build_object(
    'code', b.code, 'standard_address', b.standard_address, 'kind', b.kind, 'floors', b.floors,
    'units', b.unit_count, 'households', b.households, 'micro_grid', b.micro_grid_code) AS properties
FROM building b JOIN micro_grid_current m ON m.code = b.micro_grid_code JOIN grid_current g ON g.code = m.grid_code, scope
WHERE scope.whole OR g.id = ANY (scope.grid_ids)
