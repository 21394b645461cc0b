-- Grids and micro-grids carry versions: each row is one version of one grid, valid from
-- valid_from until valid_to (NULL = current). The code is the stable identity across versions.
CREATE TABLE boundary_version (
    id         serial PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    author     text NOT NULL,
    note       text NOT NULL
);

CREATE TABLE grid (
    id                serial PRIMARY KEY,
    code              text NOT NULL CHECK (code ~ '^[0-9]{16}$'),
    name              text NOT NULL CHECK (name <> ''),
    level             smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    is_basic          boolean NOT NULL,   -- the basic cell with one full-time grid worker
    kind              text NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'exclusive')),
    exclusive_type    text CHECK (exclusive_type IN (
                          'industrial_park', 'business_district', 'school', 'hospital')),
    community_id      integer NOT NULL REFERENCES admin_area (id),
    parent_code       text,               -- the enclosing grid one level up (NULL at level 1)
    households        integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    target_households int4range,          -- e.g. [200,300] urban, [1,150] rural
    geom              geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    valid_from        timestamptz NOT NULL DEFAULT now(),
    valid_to          timestamptz,
    version_id        integer NOT NULL REFERENCES boundary_version (id),
    CHECK ((kind = 'exclusive') = (exclusive_type IS NOT NULL)),
    CHECK ((level = 1) = (parent_code IS NULL)),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (code WITH =, tstzrange(valid_from, valid_to) WITH &&)
);
CREATE INDEX grid_geom_idx ON grid USING gist (geom);
CREATE INDEX grid_community_idx ON grid (community_id);
CREATE INDEX grid_parent_idx ON grid (parent_code);
CREATE UNIQUE INDEX grid_current_code_idx ON grid (code) WHERE valid_to IS NULL;

CREATE TABLE grid_staff (
    id        serial PRIMARY KEY,
    grid_code text NOT NULL,
    role      text NOT NULL CHECK (role IN ('grid_head', 'grid_police', 'full_time', 'part_time')),
    name      text NOT NULL
);
CREATE INDEX grid_staff_grid_idx ON grid_staff (grid_code);

-- A micro-grid is a building or a "ten-household" group (十联户) of 10–20 households.
CREATE TABLE micro_grid (
    id         serial PRIMARY KEY,
    code       text NOT NULL CHECK (code ~ '^[0-9]{19}$'),
    grid_code  text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('building', 'ten_households')),
    households integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    geom       geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    valid_from timestamptz NOT NULL DEFAULT now(),
    valid_to   timestamptz,
    version_id integer NOT NULL REFERENCES boundary_version (id),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    EXCLUDE USING gist (code WITH =, tstzrange(valid_from, valid_to) WITH &&)
);
CREATE INDEX micro_grid_geom_idx ON micro_grid USING gist (geom);
CREATE INDEX micro_grid_grid_idx ON micro_grid (grid_code);
CREATE UNIQUE INDEX micro_grid_current_code_idx ON micro_grid (code) WHERE valid_to IS NULL;

CREATE VIEW grid_current AS SELECT * FROM grid WHERE valid_to IS NULL;
CREATE VIEW micro_grid_current AS SELECT * FROM micro_grid WHERE valid_to IS NULL;
