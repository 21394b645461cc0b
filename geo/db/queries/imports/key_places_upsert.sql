-- Upsert the checked key places (temp table import_key_places) keyed on their code, each
-- linked to the building whose footprint covers it. Returns id and whether it is new.
INSERT INTO key_place AS k (code, category, name, address, building_id, geom)
SELECT s.code, s.category, s.name, s.address,
       (SELECT b.id FROM building b
        WHERE ST_Covers(b.footprint, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)) ORDER BY b.id LIMIT 1),
       ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326)
FROM import_key_places s
ON CONFLICT (code) DO UPDATE
SET category = EXCLUDED.category, name = EXCLUDED.name, address = EXCLUDED.address,
    building_id = EXCLUDED.building_id, geom = EXCLUDED.geom
WHERE (k.category, k.name, k.address, k.building_id)
      IS DISTINCT FROM (EXCLUDED.category, EXCLUDED.name, EXCLUDED.address, EXCLUDED.building_id)
   OR NOT ST_Equals(k.geom, EXCLUDED.geom)
RETURNING k.id, (xmax = 0) AS inserted;
