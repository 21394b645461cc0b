-- The boundary editor (geo/boundaries/): a planner edits one community's grids and
-- micro-grids in a draft; nothing changes for anyone else until the draft is committed.
-- A draft is a private copy of the community's current rows; each grid and micro-grid row
-- remembers the row it was copied from (base_id, NULL for a new one), so that the commit
-- knows what changed and can refuse a draft whose base another planner committed over.
CREATE TABLE boundary_draft (
    id              serial PRIMARY KEY,
    community_id    integer NOT NULL REFERENCES admin_area (id),
    author          text NOT NULL CHECK (author <> ''),
    source          text NOT NULL DEFAULT 'editor' CHECK (source IN ('editor', 'geopackage')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- The community's current grid and micro-grid rows when the draft was opened: the
    -- optimistic lock. A commit in between closes some of them, and this draft is refused.
    base_grid_ids   integer[] NOT NULL,
    base_micro_ids  integer[] NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'committed', 'discarded')),
    version_id      integer REFERENCES boundary_version (id),   -- set by the commit
    steps           integer NOT NULL DEFAULT 0
);
CREATE INDEX boundary_draft_open_idx ON boundary_draft (community_id) WHERE status = 'open';

CREATE TABLE boundary_draft_grid (
    draft_id          integer NOT NULL REFERENCES boundary_draft (id) ON DELETE CASCADE,
    code              text NOT NULL,
    base_id           integer,            -- the grid row it was copied from; NULL = new
    name              text NOT NULL,
    level             smallint NOT NULL,
    is_basic          boolean NOT NULL,
    kind              text NOT NULL,
    exclusive_type    text,
    parent_code       text,
    households        integer NOT NULL,
    target_households int4range,
    geom              geometry(MultiPolygon, 4326) NOT NULL,
    PRIMARY KEY (draft_id, code)
);

CREATE TABLE boundary_draft_micro_grid (
    draft_id   integer NOT NULL REFERENCES boundary_draft (id) ON DELETE CASCADE,
    code       text NOT NULL,
    base_id    integer,
    grid_code  text NOT NULL,
    kind       text NOT NULL,
    households integer NOT NULL,
    geom       geometry(MultiPolygon, 4326) NOT NULL,
    PRIMARY KEY (draft_id, code)
);

-- The draft as it was before each step: undo restores the last one.
CREATE TABLE boundary_draft_step (
    draft_id   integer NOT NULL REFERENCES boundary_draft (id) ON DELETE CASCADE,
    step       integer NOT NULL,
    operation  text NOT NULL,
    detail     jsonb NOT NULL,
    before     jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (draft_id, step)
);

-- What a commit changed, one row per grid or micro-grid code: the audit trail beside
-- boundary_version (who, when, why).
ALTER TABLE boundary_version
    ADD COLUMN community_id integer REFERENCES admin_area (id),
    ADD COLUMN draft_id integer REFERENCES boundary_draft (id);
CREATE TABLE boundary_change (
    version_id integer NOT NULL REFERENCES boundary_version (id),
    layer      text NOT NULL CHECK (layer IN ('grid', 'micro_grid')),
    code       text NOT NULL,
    change     text NOT NULL CHECK (change IN ('changed', 'created', 'removed')),
    old_id     integer,
    new_id     integer,
    PRIMARY KEY (version_id, layer, code, change)
);

-- Boundaries as they were at a moment: the versions valid then.
CREATE INDEX grid_validity_idx ON grid USING gist (community_id, tstzrange(valid_from, valid_to));
CREATE INDEX micro_grid_grid_validity_idx ON micro_grid (grid_code, valid_from);

-- Codes under a community's prefix, ever used (a new grid never takes one): LIKE 'prefix%'
-- needs a pattern index where the collation is not C.
CREATE INDEX grid_code_pattern_idx ON grid (code text_pattern_ops);
CREATE INDEX micro_grid_code_pattern_idx ON micro_grid (code text_pattern_ops);

-- The geocoder asks whether a name is some building's road (geo/db/queries/known_names.sql)
-- each time it re-places cases by address; without an index that read every address entry
-- (42 ms per name in a province, found while measuring a boundary commit).
CREATE INDEX address_entry_road_idx ON geocode.address_entry (road);
CREATE INDEX boundary_version_community_idx ON boundary_version (community_id);
