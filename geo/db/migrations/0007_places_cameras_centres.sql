-- Key places (重点场所, "one standard address, three actuals"), cameras and centres.
CREATE TABLE key_place (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    category    text NOT NULL CHECK (category IN (
                    'school', 'hospital', 'market', 'hotel', 'internet_cafe',
                    'hazardous_chemicals', 'other')),
    name        text NOT NULL,
    address     text NOT NULL,
    building_id integer REFERENCES building (id),
    geom        geometry(Point, 4326) NOT NULL
);
CREATE INDEX key_place_geom_idx ON key_place USING gist (geom);

CREATE TABLE camera (
    id     serial PRIMARY KEY,
    code   text NOT NULL UNIQUE,
    name   text NOT NULL,
    kind   text NOT NULL CHECK (kind IN ('road', 'community', 'key_place')),
    geom   geometry(Point, 4326) NOT NULL
);
CREATE INDEX camera_geom_idx ON camera USING gist (geom);

-- Comprehensive-governance centres (综治中心) at city, county, township and village level.
CREATE TABLE centre (
    id            serial PRIMARY KEY,
    level         smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
    admin_area_id integer NOT NULL UNIQUE REFERENCES admin_area (id),
    name          text NOT NULL,
    address       text NOT NULL,
    geom          geometry(Point, 4326) NOT NULL
);
CREATE INDEX centre_geom_idx ON centre USING gist (geom);
