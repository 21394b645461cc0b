-- Cases (事件) along the closed loop, with their categories and the grid assignment.
CREATE TABLE case_category (
    code          text PRIMARY KEY,
    group_code    text NOT NULL CHECK (group_code IN (
                      'dispute', 'safety_hazard', 'public_order', 'service_request')),
    name_zh       text NOT NULL,
    name_en       text NOT NULL,
    deadline_days smallint NOT NULL CHECK (deadline_days > 0)
);

INSERT INTO case_category (code, group_code, name_zh, name_en, deadline_days) VALUES
    ('dispute_marriage_family', 'dispute', '婚姻家庭纠纷', 'Marriage & family dispute', 15),
    ('dispute_neighbour',       'dispute', '邻里纠纷',     'Neighbour dispute',         7),
    ('dispute_land',            'dispute', '土地纠纷',     'Land dispute',             30),
    ('dispute_labour_wages',    'dispute', '劳资纠纷',     'Labour & wages dispute',   15),
    ('dispute_property',        'dispute', '物业房产纠纷', 'Property & housing dispute', 15),
    ('dispute_consumer',        'dispute', '消费纠纷',     'Consumer dispute',          7),
    ('dispute_traffic',         'dispute', '交通纠纷',     'Traffic dispute',          10),
    ('hazard_fire',             'safety_hazard', '消防安全隐患', 'Fire hazard',          3),
    ('hazard_building',         'safety_hazard', '房屋建筑安全隐患', 'Building hazard',  5),
    ('hazard_production',       'safety_hazard', '安全生产隐患', 'Production safety hazard', 5),
    ('public_order',            'public_order', '治安乱点',   'Public-order hot spot',    7),
    ('service_request',         'service_request', '服务诉求', 'Service request',        10);

CREATE TABLE case_status (
    code    text PRIMARY KEY,
    step    smallint NOT NULL UNIQUE,
    name_zh text NOT NULL,
    name_en text NOT NULL
);
INSERT INTO case_status (code, step, name_zh, name_en) VALUES
    ('accepted',    1, '受理',   'Accepted'),
    ('dispatched',  2, '交办',   'Dispatched'),
    ('in_progress', 3, '办理中', 'In progress'),
    ('feedback',    4, '反馈',   'Feedback'),
    ('follow_up',   5, '回访',   'Follow-up visit'),
    ('closed',      6, '结案',   'Closed');

CREATE TABLE cases (
    id                  bigserial PRIMARY KEY,
    code                text NOT NULL UNIQUE,
    source              text NOT NULL CHECK (source IN (
                            'grid_worker', 'hotline_12345', 'police_110', 'walk_in', 'online')),
    category_code       text NOT NULL REFERENCES case_category (code),
    summary             text NOT NULL,
    reported_at         timestamptz NOT NULL,
    -- The location in WGS84 once known; the coordinates as reported stay in raw_*.
    geom                geometry(Point, 4326),
    raw_lon             double precision,
    raw_lat             double precision,
    raw_crs             text CHECK (raw_crs IN ('wgs84', 'cgcs2000', 'gcj02', 'bd09')),
    address_text        text,
    status              text NOT NULL REFERENCES case_status (code),
    deadline            timestamptz NOT NULL,
    closed_at           timestamptz,
    escalation_level    text NOT NULL DEFAULT 'grid' CHECK (escalation_level IN (
                            'grid', 'community', 'township', 'county_city')),
    grid_id             integer REFERENCES grid (id),
    micro_grid_id       integer REFERENCES micro_grid (id),
    building_id         integer REFERENCES building (id),
    assign_method       text CHECK (assign_method IN ('coordinates', 'address', 'manual')),
    assign_confidence   real CHECK (assign_confidence BETWEEN 0 AND 1),
    assigned_at         timestamptz,
    boundary_version_id integer REFERENCES boundary_version (id),
    CHECK ((raw_lon IS NULL) = (raw_lat IS NULL) AND (raw_lon IS NULL) = (raw_crs IS NULL)),
    CHECK (geom IS NOT NULL OR raw_lon IS NOT NULL OR address_text IS NOT NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK (closed_at IS NULL OR closed_at >= reported_at),
    CHECK (deadline > reported_at),
    CHECK ((grid_id IS NULL) = (assign_method IS NULL))
);
CREATE INDEX cases_geom_idx ON cases USING gist (geom);
CREATE INDEX cases_reported_idx ON cases (reported_at);
CREATE INDEX cases_grid_idx ON cases (grid_id);
CREATE INDEX cases_building_idx ON cases (building_id);
CREATE INDEX cases_open_idx ON cases (deadline) WHERE status <> 'closed';
