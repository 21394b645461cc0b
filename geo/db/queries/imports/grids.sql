-- Write the checked grids (temp table import_grids) as versions: a grid that is new or whose
-- current version differs gets a new version (valid from now, in boundary version
-- %(version_id)s) and its current version is closed; an identical grid is left alone.
-- Geometries compare topologically (ST_Equals), so a file that only reorders vertices or
-- rings (a Shapefile round trip) changes nothing. Returns one row per new version: whether
-- the grid is new.
CREATE TEMP TABLE grid_change ON COMMIT DROP AS
SELECT s.*, community.id AS community_id, g.id AS current_id, g.geom AS current_geom
FROM import_grids s
LEFT JOIN admin_area community ON community.code = s.community_code AND community.level = 4
LEFT JOIN grid_current g ON g.code = s.code
WHERE g.id IS NULL
   OR (g.name, g.level, g.is_basic, g.kind, g.exclusive_type, g.parent_code, g.households, g.community_id)
      IS DISTINCT FROM
      (s.name, s.level, s.is_basic, s.kind, s.exclusive_type, s.parent_code, s.households, community.id)
   OR NOT ST_Equals(g.geom, s.geom);

UPDATE grid SET valid_to = now() WHERE id IN (SELECT current_id FROM grid_change);

-- Basic regular grids get the household range of their community: urban 200–300, rural ≤ 150.
INSERT INTO grid (code, name, level, is_basic, kind, exclusive_type, community_id, community_code, parent_code,
                  households, target_households, geom, valid_from, version_id)
SELECT c.code, c.name, c.level, c.is_basic, c.kind, c.exclusive_type, c.community_id, c.community_code, c.parent_code,
       c.households,
       CASE WHEN NOT c.is_basic OR c.kind = 'exclusive' OR a.id IS NULL THEN NULL
            WHEN a.is_urban THEN int4range(200, 300, '[]')
            ELSE int4range(1, 150, '[]') END,
       c.geom, now(), %(version_id)s
FROM grid_change c LEFT JOIN admin_area a ON a.id = c.community_id;

SELECT current_id IS NULL AS inserted FROM grid_change;
