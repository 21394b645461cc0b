-- The administrative hierarchy: city (1) > county/district (2) > township/street (3)
-- > community/village (4). Codes follow the national division code: 6 digits for city and
-- county, 9 for township, 12 for community.
CREATE TABLE admin_area (
    id        serial PRIMARY KEY,
    level     smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
    code      text NOT NULL UNIQUE,
    name      text NOT NULL CHECK (name <> ''),
    kind      text NOT NULL CHECK (kind IN (
                  'city', 'district', 'county', 'street', 'town', 'township',
                  'community', 'village')),
    parent_id integer REFERENCES admin_area (id),
    is_urban  boolean NOT NULL,
    geom      geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
    CHECK ((level = 1) = (parent_id IS NULL)),
    CHECK (code ~ CASE level WHEN 1 THEN '^[0-9]{6}$' WHEN 2 THEN '^[0-9]{6}$'
                             WHEN 3 THEN '^[0-9]{9}$' ELSE '^[0-9]{12}$' END)
);
CREATE INDEX admin_area_geom_idx ON admin_area USING gist (geom);
CREATE INDEX admin_area_parent_idx ON admin_area (parent_id);

COMMENT ON TABLE admin_area IS '行政区划: 市, 县/区, 乡镇/街道, 社区/村';
