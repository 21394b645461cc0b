-- Rows whose parent is not there (imports load them and flag them): areas without their
-- parent area, grids without their community or parent grid, micro-grids without their grid,
-- buildings without a current micro-grid. %(min_area_m2)s does not apply.
SELECT 'admin_area_parent' AS relation, c.code AS child_code, NULL::float8 AS area_m2
FROM admin_area c WHERE c.level > 1 AND c.parent_id IS NULL
UNION ALL
SELECT 'grid_community', g.code, NULL FROM grid_current g WHERE g.community_id IS NULL
UNION ALL
SELECT 'grid_parent_grid', g.code, NULL FROM grid_current g
WHERE g.parent_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM grid_current p WHERE p.code = g.parent_code)
UNION ALL
SELECT 'micro_grid_grid', m.code, NULL FROM micro_grid_current m
WHERE NOT EXISTS (SELECT 1 FROM grid_current g WHERE g.code = m.grid_code)
UNION ALL
SELECT 'building_micro_grid', b.code, NULL FROM building b
WHERE b.micro_grid_code IS NULL
   OR NOT EXISTS (SELECT 1 FROM micro_grid_current m WHERE m.code = b.micro_grid_code)
ORDER BY 1, 2;
