-- The current basic grids under an admin area, each with the child of the area it lies in: a
-- sub-area, or the grid itself when it hangs directly below the area. With %(code)s NULL:
-- under every top-level area. It walks down admin_area's parent links from the area, so the
-- work grows with the area and not with the city, and a hierarchy that skips a level (an
-- imported county whose communities hang directly below it) still drills correctly. The
-- depth cap keeps a cycle in imported parent links from looping forever.
WITH RECURSIVE top AS (
    SELECT id FROM admin_area WHERE code = %(code)s
), below (area_id, child, depth) AS (
    SELECT a.id, a.code, 1 FROM admin_area a
    WHERE CASE WHEN %(code)s::text IS NULL THEN a.parent_id IS NULL ELSE a.parent_id = (SELECT id FROM top) END
    UNION ALL
    SELECT a.id, below.child, below.depth + 1
    FROM below JOIN admin_area a ON a.parent_id = below.area_id
    WHERE below.depth < 8
)
SELECT g.id AS grid_id, g.code AS grid_code, below.child
FROM below JOIN grid g ON g.community_id = below.area_id
WHERE g.valid_to IS NULL AND g.is_basic
UNION ALL
SELECT g.id, g.code, g.code
FROM grid g
WHERE g.community_id = (SELECT id FROM top) AND g.valid_to IS NULL AND g.is_basic
