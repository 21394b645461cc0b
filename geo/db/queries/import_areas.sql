-- Upsert the checked administrative areas (temp table import_areas) keyed on the division
-- code, then link every staged area to its parent, which may have come in the same file.
-- Returns each written area's code and whether it is new; an area whose only change is its
-- parent counts as updated.
CREATE TEMP TABLE import_areas_written ON COMMIT DROP AS
WITH written AS (
    INSERT INTO admin_area AS a (level, code, name, kind, is_urban, geom)
    SELECT level, code, name, kind, is_urban, geom FROM import_areas
    ON CONFLICT (code) DO UPDATE
    SET level = EXCLUDED.level, name = EXCLUDED.name, kind = EXCLUDED.kind,
        is_urban = EXCLUDED.is_urban, geom = EXCLUDED.geom
    WHERE (a.level, a.name, a.kind, a.is_urban) IS DISTINCT FROM
          (EXCLUDED.level, EXCLUDED.name, EXCLUDED.kind, EXCLUDED.is_urban)
       OR NOT ST_Equals(a.geom, EXCLUDED.geom)
    RETURNING a.code, (xmax = 0) AS inserted
)
SELECT * FROM written;

WITH linked AS (
    UPDATE admin_area a SET parent_id = p.id
    FROM import_areas s LEFT JOIN admin_area p ON p.code = s.parent_code
    WHERE a.code = s.code AND a.level > 1 AND a.parent_id IS DISTINCT FROM p.id
    RETURNING a.code
)
INSERT INTO import_areas_written
SELECT code, false FROM linked WHERE code NOT IN (SELECT code FROM import_areas_written);

SELECT code, inserted FROM import_areas_written;
