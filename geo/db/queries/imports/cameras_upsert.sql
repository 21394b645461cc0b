-- Upsert the checked cameras (temp table import_cameras) keyed on their code. Returns id and
-- whether it is new.
INSERT INTO camera AS c (code, name, kind, geom)
SELECT code, name, kind, ST_SetSRID(ST_MakePoint(lon, lat), 4326) FROM import_cameras
ON CONFLICT (code) DO UPDATE
SET name = EXCLUDED.name, kind = EXCLUDED.kind, geom = EXCLUDED.geom
WHERE (c.name, c.kind) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind) OR NOT ST_Equals(c.geom, EXCLUDED.geom)
RETURNING c.id, (xmax = 0) AS inserted;
