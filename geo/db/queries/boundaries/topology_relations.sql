-- Every "children tile their parent" relation of the current boundaries, one row per child:
-- admin levels, community -> basic grids, grid -> child grids, basic grid -> micro-grids.
CREATE OR REPLACE TEMP VIEW topology_relation AS
SELECT 'admin_level_' || c.level AS relation, p.code AS parent_code, p.geom AS parent_geom,
       c.code AS child_code, c.geom AS child_geom
FROM admin_area c JOIN admin_area p ON p.id = c.parent_id
UNION ALL
SELECT 'community_basic_grids', a.code, a.geom, g.code, g.geom
FROM grid_current g JOIN admin_area a ON a.id = g.community_id
WHERE g.is_basic
UNION ALL
SELECT 'grid_child_grids', p.code, p.geom, c.code, c.geom
FROM grid_current c JOIN grid_current p ON p.code = c.parent_code
UNION ALL
SELECT 'grid_micro_grids', g.code, g.geom, m.code, m.geom
FROM micro_grid_current m JOIN grid_current g ON g.code = m.grid_code;
