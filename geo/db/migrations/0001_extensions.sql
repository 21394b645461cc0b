-- PostGIS for geometry, pg_trgm for fuzzy Chinese address matching (needs a UTF-8 LC_CTYPE),
-- btree_gist for the "one version of a grid at a time" exclusion constraints.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Areas and distances are measured in metres on the geography type, never in degrees.
CREATE SCHEMA IF NOT EXISTS basemap;    -- offline basemap layers: roads, water
CREATE SCHEMA IF NOT EXISTS sensitive;  -- key-population records, kept apart
CREATE SCHEMA IF NOT EXISTS demo_truth; -- what the demo generator planted, for validation
