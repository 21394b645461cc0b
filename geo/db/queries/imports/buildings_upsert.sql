-- Upsert the checked buildings (temp table import_buildings) keyed on their code; a missing
-- micro-grid code is taken from the current micro-grid covering the footprint. Returns each
-- written building's id and whether it is new.
INSERT INTO building AS b (code, micro_grid_code, kind, road, house_number, estate, building_no,
                           standard_address, floors, unit_count, households, footprint)
SELECT s.code,
       coalesce(s.micro_grid_code, (SELECT m.code FROM micro_grid_current m
                                    WHERE ST_Covers(m.geom, ST_PointOnSurface(s.geom))
                                    ORDER BY m.code LIMIT 1)),
       s.kind, s.road, s.house_number, s.estate, s.building_no, s.standard_address, s.floors,
       s.unit_count, s.households, s.geom
FROM import_buildings s
ON CONFLICT (code) DO UPDATE
SET micro_grid_code = EXCLUDED.micro_grid_code, kind = EXCLUDED.kind, road = EXCLUDED.road,
    house_number = EXCLUDED.house_number, estate = EXCLUDED.estate, building_no = EXCLUDED.building_no,
    standard_address = EXCLUDED.standard_address, floors = EXCLUDED.floors,
    unit_count = EXCLUDED.unit_count, households = EXCLUDED.households, footprint = EXCLUDED.footprint
WHERE (b.micro_grid_code, b.kind, b.road, b.house_number, b.estate, b.building_no, b.standard_address,
       b.floors, b.unit_count, b.households)
      IS DISTINCT FROM
      (EXCLUDED.micro_grid_code, EXCLUDED.kind, EXCLUDED.road, EXCLUDED.house_number, EXCLUDED.estate,
       EXCLUDED.building_no, EXCLUDED.standard_address, EXCLUDED.floors, EXCLUDED.unit_count,
       EXCLUDED.households)
   OR NOT ST_Equals(b.footprint, EXCLUDED.footprint)
RETURNING b.id, (xmax = 0) AS inserted;
