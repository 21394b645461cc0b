-- Buildings with their standard address (标准地址) and units; households per unit.
CREATE TABLE building (
    id               serial PRIMARY KEY,
    code             text NOT NULL UNIQUE,
    micro_grid_code  text NOT NULL,
    kind             text NOT NULL CHECK (kind IN (
                         'residential', 'village_house', 'school', 'hospital', 'office',
                         'commercial', 'industrial', 'public')),
    road             text,
    house_number     text,
    estate           text,
    building_no      text,
    standard_address text NOT NULL,
    floors           smallint NOT NULL CHECK (floors BETWEEN 1 AND 120),
    unit_count       smallint NOT NULL CHECK (unit_count >= 0),
    households       integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    footprint        geometry(Polygon, 4326) NOT NULL CHECK (ST_IsValid(footprint))
);
CREATE INDEX building_footprint_idx ON building USING gist (footprint);
CREATE INDEX building_micro_grid_idx ON building (micro_grid_code);
CREATE INDEX building_address_trgm_idx ON building USING gin (standard_address gin_trgm_ops);

CREATE TABLE building_unit (
    id          serial PRIMARY KEY,
    building_id integer NOT NULL REFERENCES building (id) ON DELETE CASCADE,
    unit_no     smallint NOT NULL CHECK (unit_no >= 1),
    floors      smallint NOT NULL CHECK (floors >= 1),
    households  integer NOT NULL CHECK (households >= 0),
    UNIQUE (building_id, unit_no)
);
