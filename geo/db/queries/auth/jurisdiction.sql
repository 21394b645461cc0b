-- What a jurisdiction holds: %(code)s is an admin area or a basic grid. Returns one row per
-- code inside it (the area itself, the areas below it, their current basic grids), with the
-- grid's id for grids. The walk follows admin_area's parent links, with a depth cap against
-- a cycle in imported links.
WITH RECURSIVE areas (id, code, depth) AS (
    SELECT id, code, 0 FROM admin_area WHERE code = %(code)s
    UNION ALL
    SELECT a.id, a.code, areas.depth + 1
    FROM areas JOIN admin_area a ON a.parent_id = areas.id
    WHERE areas.depth < 8
)
SELECT code, NULL::integer AS grid_id FROM areas
UNION ALL
SELECT g.code, g.id FROM areas JOIN grid g ON g.community_id = areas.id AND g.valid_to IS NULL AND g.is_basic
UNION ALL
SELECT g.code, g.id FROM grid_current g
WHERE g.code = %(code)s AND g.is_basic AND NOT EXISTS (SELECT FROM admin_area WHERE code = %(code)s)
