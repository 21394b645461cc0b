-- The safety map's drill-down path. Every admin area and every current basic grid gets the
-- codes of its ancestors, root first: {city, county, township, community[, grid]}. An area's
-- children on the map are the next element of that path, so a hierarchy that skips a level
-- (an imported county whose communities hang directly below it) still drills correctly.
-- Depth is capped so that a cycle in imported parent links cannot loop forever.
CREATE VIEW area_path AS
WITH RECURSIVE up (area_id, ancestor_id, ancestor_code, depth) AS (
    SELECT id, id, code, 0 FROM admin_area
    UNION ALL
    SELECT up.area_id, parent.id, parent.code, up.depth + 1
    FROM up
    JOIN admin_area child ON child.id = up.ancestor_id
    JOIN admin_area parent ON parent.id = child.parent_id
    WHERE up.depth < 8
)
SELECT area_id, array_agg(ancestor_code ORDER BY depth DESC) AS path
FROM up GROUP BY area_id;

-- Basic grids only: cases and key persons are placed in basic grids, and those are the cells
-- a leader drills into below a community. A grid whose community is unknown has a path of
-- its own code only: the root view counts it, no area below the root does.
CREATE VIEW grid_path AS
SELECT g.id AS grid_id, g.code AS grid_code, g.community_id,
       coalesce(p.path, '{}') || g.code AS path
FROM grid_current g LEFT JOIN area_path p ON p.area_id = g.community_id
WHERE g.is_basic;
