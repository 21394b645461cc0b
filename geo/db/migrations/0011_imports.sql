-- Imports load what a city hands over even when its pieces arrive out of order or
-- incomplete: a checks-across-rows problem (a missing parent) is flagged, never a reason to
-- drop a row. So the links to parents may be empty; `check-topology` lists such orphans.
ALTER TABLE admin_area DROP CONSTRAINT admin_area_check;
ALTER TABLE admin_area ADD CONSTRAINT admin_area_city_has_no_parent
    CHECK (level > 1 OR parent_id IS NULL);
ALTER TABLE grid ALTER COLUMN community_id DROP NOT NULL;
ALTER TABLE building ALTER COLUMN micro_grid_code DROP NOT NULL;

-- Coordinates as reported may be in any EPSG system (a projected CGCS2000 zone, Web
-- Mercator …), named as 'epsg:N'.
ALTER TABLE cases DROP CONSTRAINT cases_raw_crs_check;
ALTER TABLE cases ADD CONSTRAINT cases_raw_crs_check
    CHECK (raw_crs IN ('wgs84', 'cgcs2000', 'gcj02', 'bd09') OR raw_crs ~ '^epsg:[0-9]+$');

-- Each import: which file, into which layer, by whom, with its summary. Grid and micro-grid
-- versions written by an import point to its boundary_version.
CREATE TABLE import_log (
    id          serial PRIMARY KEY,
    imported_at timestamptz NOT NULL DEFAULT now(),
    author      text NOT NULL,
    layer       text NOT NULL,
    file        text NOT NULL,
    summary     jsonb NOT NULL
);
