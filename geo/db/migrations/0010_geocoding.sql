-- The geocoder's results live apart from the case as reported. A case row is what was
-- reported (text, raw coordinates); where it sits on the map is derived from it and the
-- boundaries of the day, and is recomputed when they change. Kept in a narrow table of its
-- own, a bulk run writes new placements with COPY instead of updating wide case rows, and a
-- re-run after a boundary edit rewrites only the rows whose placement changed.
ALTER TABLE cases
    DROP COLUMN grid_id,
    DROP COLUMN micro_grid_id,
    DROP COLUMN building_id,
    DROP COLUMN assign_method,
    DROP COLUMN assign_confidence,
    DROP COLUMN assigned_at,
    DROP COLUMN boundary_version_id;

-- status: assigned (grid known), outside (a point outside every grid: nearest grid kept),
-- review (an address the matcher would not guess: waits for a person, with its candidates).
-- point: where the case is drawn when that is not its reported point (address matches,
-- manual choices, raw coordinates the writer did not convert); case_located has both.
-- The grid, micro-grid and building ids carry no foreign keys: checking four of them took
-- three quarters of the time of writing a placement (measured 43 against 17 µs a row). The
-- geocoder takes them from the current layers; grid and micro-grid rows are versions that
-- are never deleted; a deleted building's placements are removed by the trigger below, so
-- those cases become pending again.
CREATE TABLE case_assignment (
    case_id             bigint PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    status              text NOT NULL CHECK (status IN ('assigned', 'outside', 'review')),
    method              text CHECK (method IN ('coordinates', 'address', 'manual')),
    confidence          real NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    point               geometry(Point, 4326),
    grid_id             integer,
    micro_grid_id       integer,
    building_id         integer,
    building_distance_m real,                    -- > 0 when the nearest building was taken
    nearest_grid_id     integer,
    outside_distance_m  real,                    -- distance to nearest_grid when outside
    address_conflict_m  real,                    -- coordinates and address disagree by this much
    address_key         text,                    -- the normalised address (review queue, aliases)
    candidates          jsonb,                   -- review: the top 3 [{building_id, address, score}]
    boundary_version_id integer NOT NULL,
    assigned_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'assigned') = (grid_id IS NOT NULL)),
    CHECK ((status = 'outside') = (nearest_grid_id IS NOT NULL)),
    CHECK ((status = 'review') = (method IS NULL)),
    CHECK (status <> 'review' OR point IS NULL)
);
-- Only the grid is indexed: every further index costs each bulk write 1.5–2 µs a row
-- (measured on a million placements), and a building's cases are found through its grid.
CREATE INDEX case_assignment_grid_idx ON case_assignment (grid_id);
CREATE INDEX case_assignment_review_idx ON case_assignment (address_key) WHERE status = 'review';
-- Points stored only for address and manual placements; re-placing an area finds them here
-- and the rest through cases_geom_idx.
CREATE INDEX case_assignment_point_idx ON case_assignment USING gist (point) WHERE point IS NOT NULL;

-- Statement-level, so deleting many buildings scans case_assignment once (there is no index
-- on building_id, see above; buildings are deleted rarely and in batches).
CREATE FUNCTION forget_placements_on_deleted_buildings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM case_assignment WHERE building_id IN (SELECT id FROM deleted_buildings);
    RETURN NULL;
END $$;
CREATE TRIGGER building_deleted_forget_placements
    AFTER DELETE ON building REFERENCING OLD TABLE AS deleted_buildings
    FOR EACH STATEMENT EXECUTE FUNCTION forget_placements_on_deleted_buildings();

-- A case with its placement, for readers that want both.
CREATE VIEW case_located AS
SELECT c.*, a.status AS assign_status, a.method AS assign_method, a.confidence AS assign_confidence,
       coalesce(a.point, c.geom) AS placed_point, a.grid_id, a.micro_grid_id, a.building_id,
       a.address_conflict_m, a.boundary_version_id, a.assigned_at
FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id;

-- The address gazetteer, rebuilt from `building` by the geocoder (geo/geocode/gazetteer.py)
-- whenever buildings or areas changed: the normaliser lives in Python, so does the rebuild.
-- address_key: exact keys (normalised components, see geo/geocode/address.py) per building.
-- address_entry: one normalised text per building for fuzzy matching with pg_trgm (trigrams
-- see Chinese characters only under a UTF-8 LC_CTYPE; the databases are created with one).
CREATE SCHEMA geocode;
CREATE TABLE geocode.address_entry (
    building_id integer PRIMARY KEY REFERENCES building (id) ON DELETE CASCADE,
    fuzzy_text  text NOT NULL,
    numbers     text NOT NULL,  -- the group, house and building numbers, e.g. '12号|3栋'
    areas       text[] NOT NULL,-- names of the enclosing city, county, township and community
    road        text NOT NULL,  -- the components of the normalised standard address ('' = none)
    number      text NOT NULL,
    place       text NOT NULL,  -- the estate, or for a village house its village
    grp         text NOT NULL,
    building_no text NOT NULL
);
CREATE INDEX address_entry_trgm_idx ON geocode.address_entry USING gist (fuzzy_text gist_trgm_ops);
CREATE INDEX address_entry_numbers_idx ON geocode.address_entry (numbers);
CREATE INDEX address_entry_place_idx ON geocode.address_entry USING gist (place gist_trgm_ops);
CREATE INDEX address_entry_place_name_idx ON geocode.address_entry (place);

CREATE TABLE geocode.address_key (
    key         text NOT NULL,
    kind        smallint NOT NULL,  -- 1 = every component, higher = fewer components
    building_id integer NOT NULL REFERENCES building (id) ON DELETE CASCADE,
    PRIMARY KEY (key, building_id)
);

-- Spellings a person confirmed in the review queue: the same spelling matches next time.
CREATE TABLE geocode.address_alias (
    address_key  text PRIMARY KEY,
    building_id  integer NOT NULL REFERENCES building (id) ON DELETE CASCADE,
    example_text text NOT NULL,
    confirmed_by text NOT NULL,
    confirmed_at timestamptz NOT NULL DEFAULT now()
);

-- One row: is the gazetteer older than the buildings and areas it was built from?
CREATE TABLE geocode.gazetteer_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    stale     boolean NOT NULL
);
INSERT INTO geocode.gazetteer_state VALUES (true, true);

CREATE FUNCTION geocode.mark_gazetteer_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE geocode.gazetteer_state SET stale = true WHERE NOT stale;
    RETURN NULL;
END $$;
-- Only what the gazetteer is built from: an update of households leaves it alone.
CREATE TRIGGER building_changes_gazetteer
    AFTER INSERT OR UPDATE OF standard_address, footprint OR DELETE OR TRUNCATE ON building
    FOR EACH STATEMENT EXECUTE FUNCTION geocode.mark_gazetteer_stale();
CREATE TRIGGER admin_area_changes_gazetteer
    AFTER INSERT OR UPDATE OF name, level, parent_id, geom OR DELETE OR TRUNCATE ON admin_area
    FOR EACH STATEMENT EXECUTE FUNCTION geocode.mark_gazetteer_stale();

-- The truth of the demo: which building the clerk's address text describes (the case itself
-- may have happened outdoors nearby, where demo_truth.case_location.building_id is NULL).
ALTER TABLE demo_truth.case_location ADD COLUMN address_building_id integer REFERENCES building (id);

-- The grid and micro-grid of each building (the point on its surface, by the same rules as
-- a case's point), kept by the geocoder: key persons, key places and a building's drill-down
-- take their grid from here instead of each joining the geometry in its own way.
CREATE TABLE building_assignment (
    building_id         integer PRIMARY KEY REFERENCES building (id) ON DELETE CASCADE,
    status              text NOT NULL CHECK (status IN ('assigned', 'outside')),
    grid_id             integer,
    micro_grid_id       integer,
    boundary_version_id integer NOT NULL,
    assigned_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'assigned') = (grid_id IS NOT NULL))
);
CREATE INDEX building_assignment_grid_idx ON building_assignment (grid_id);

-- Key persons with the grid of their building (counts per grid are built on this).
CREATE VIEW sensitive.key_person_located AS
SELECT k.*, a.grid_id, a.micro_grid_id
FROM sensitive.key_person k LEFT JOIN building_assignment a USING (building_id);
