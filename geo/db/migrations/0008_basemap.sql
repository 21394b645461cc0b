-- Layers for an offline basemap drawn from our own data.
CREATE TABLE basemap.road (
    id    serial PRIMARY KEY,
    name  text,
    class text NOT NULL CHECK (class IN ('expressway', 'arterial', 'secondary', 'local', 'rural')),
    geom  geometry(LineString, 4326) NOT NULL
);
CREATE INDEX road_geom_idx ON basemap.road USING gist (geom);

CREATE TABLE basemap.water (
    id   serial PRIMARY KEY,
    name text,
    kind text NOT NULL CHECK (kind IN ('river', 'lake')),
    geom geometry(MultiPolygon, 4326) NOT NULL
);
CREATE INDEX water_geom_idx ON basemap.water USING gist (geom);
