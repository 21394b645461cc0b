-- What a code that has no risk score names: a grid (its level, whether basic, how many basic
-- grids lie under it), a micro-grid, an area, or nothing. Explains `risk --explain` refusals.
SELECT 'grid' AS kind, g.level, g.is_basic,
       (SELECT count(*) FROM grid_current b
        WHERE b.is_basic AND (b.parent_code = g.code
              OR b.parent_code IN (SELECT m.code FROM grid_current m WHERE m.parent_code = g.code))) AS basic_below
FROM grid_current g WHERE g.code = %(code)s
UNION ALL
SELECT 'micro_grid', NULL, NULL, NULL FROM micro_grid_current WHERE code = %(code)s
UNION ALL
SELECT 'area', a.level, NULL, NULL FROM admin_area a WHERE a.code = %(code)s
LIMIT 1
