-- Upsert the checked administrative areas (temp table import_areas) keyed on the division
-- code, then link every staged area to its parent (by the parent code the import named or
-- derived from the city's code scheme), which may have come in the same file.
-- Returns each written area's code and whether it is new; an area whose only change is its
-- parent counts as updated.
CREATE TEMP TABLE import_areas_written ON COMMIT DROP AS
WITH written AS (
    INSERT INTO admin_area AS a (level, code, name, kind, is_urban, geom)
    SELECT level, code, name, kind, is_urban, geom FROM import_areas
    ON CONFLICT (code) DO UPDATE
    SET level = EXCLUDED.level, name = EXCLUDED.name, kind = EXCLUDED.kind,
        is_urban = EXCLUDED.is_urban, geom = EXCLUDED.geom,
        parent_id = CASE WHEN EXCLUDED.level = 1 THEN NULL ELSE a.parent_id END
    WHERE (a.level, a.name, a.kind, a.is_urban) IS DISTINCT FROM
          (EXCLUDED.level, EXCLUDED.name, EXCLUDED.kind, EXCLUDED.is_urban)
       OR NOT ST_Equals(a.geom, EXCLUDED.geom)
    RETURNING a.code, (xmax = 0) AS inserted
)
SELECT * FROM written;

-- The parent's code is kept, so that an area whose parent comes later is linked by it; it
-- changes nothing the summary counts (the link below does).
UPDATE admin_area a SET parent_code = s.parent_code
FROM import_areas s WHERE a.code = s.code AND a.parent_code IS DISTINCT FROM s.parent_code;

-- The parent must be one level up; any other names no parent (and the area is an orphan).
WITH linked AS (
    UPDATE admin_area a SET parent_id = p.id
    FROM import_areas s LEFT JOIN admin_area p ON p.code = s.parent_code AND p.level = s.level - 1
    WHERE a.code = s.code AND a.level > 1 AND a.parent_id IS DISTINCT FROM p.id
    RETURNING a.code
)
INSERT INTO import_areas_written
SELECT code, false FROM linked WHERE code NOT IN (SELECT code FROM import_areas_written);

-- Areas and grids loaded earlier without their parent get it now that it is here, by the
-- parent code stored at their import (an area's parent_code, a grid's community_code).
UPDATE admin_area c SET parent_id = p.id
FROM admin_area p
WHERE c.parent_id IS NULL AND c.level > 1 AND p.level = c.level - 1 AND p.code = c.parent_code;

UPDATE grid g SET community_id = a.id
FROM admin_area a
WHERE g.community_id IS NULL AND g.valid_to IS NULL AND a.level = 4 AND a.code = g.community_code;

SELECT code, inserted FROM import_areas_written;
