-- Write the checked micro-grids (temp table import_micro_grids) as versions, like
-- import_grids.sql: new or changed ones get a version in %(version_id)s, the current
-- version of a changed one is closed. Returns one row per new version: whether it is new.
CREATE TEMP TABLE micro_grid_change ON COMMIT DROP AS
SELECT s.*, m.id AS current_id, m.geom AS current_geom
FROM import_micro_grids s
LEFT JOIN micro_grid_current m ON m.code = s.code
WHERE m.id IS NULL
   OR (m.grid_code, m.kind, m.households) IS DISTINCT FROM (s.grid_code, s.kind, s.households)
   OR NOT ST_Equals(m.geom, s.geom);

UPDATE micro_grid SET valid_to = now() WHERE id IN (SELECT current_id FROM micro_grid_change);

INSERT INTO micro_grid (code, grid_code, kind, households, geom, valid_from, version_id)
SELECT code, grid_code, kind, households, geom, now(), %(version_id)s FROM micro_grid_change;

SELECT current_id IS NULL AS inserted FROM micro_grid_change;
