-- A code is an identifier, not a format (issue 21): a city numbers its areas, grids and
-- micro-grids its own way (geo/shared/code_scheme.toml describes the numbering, and a code
-- off it loads with a warning). The database only asks for a plausible identifier: not
-- empty, no control characters, at most 64 characters.
ALTER TABLE admin_area DROP CONSTRAINT admin_area_check1;
ALTER TABLE grid DROP CONSTRAINT grid_code_check;
ALTER TABLE micro_grid DROP CONSTRAINT micro_grid_code_check;
ALTER TABLE admin_area ADD CONSTRAINT admin_area_code_identifier
    CHECK (code <> '' AND length(code) <= 64 AND code !~ '[[:cntrl:]]');
ALTER TABLE grid ADD CONSTRAINT grid_code_identifier
    CHECK (code <> '' AND length(code) <= 64 AND code !~ '[[:cntrl:]]');
ALTER TABLE micro_grid ADD CONSTRAINT micro_grid_code_identifier
    CHECK (code <> '' AND length(code) <= 64 AND code !~ '[[:cntrl:]]');

-- The parent an import named (or derived from the city's scheme) is kept with the row, so
-- that an area or grid that came before its parent is linked when the parent arrives by
-- that code, never by cutting the child's code at fixed lengths.
ALTER TABLE admin_area ADD COLUMN parent_code text;
ALTER TABLE grid ADD COLUMN community_code text;

UPDATE admin_area c SET parent_code = p.code FROM admin_area p WHERE p.id = c.parent_id;
-- Orphans stored before: their parent by the national division code they were checked against.
UPDATE admin_area SET parent_code =
    CASE level WHEN 2 THEN left(code, 4) || '00' WHEN 3 THEN left(code, 6) ELSE left(code, 9) END
WHERE parent_id IS NULL AND level > 1;
UPDATE grid g SET community_code = a.code FROM admin_area a WHERE a.id = g.community_id;
UPDATE grid SET community_code = left(code, 12) WHERE community_id IS NULL;

-- The view lists the table's columns as they were when it was made: it gains the new one.
CREATE OR REPLACE VIEW grid_current AS SELECT * FROM grid WHERE valid_to IS NULL;
