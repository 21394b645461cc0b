-- A building's micro-grid code follows its placement after a commit (ids: the buildings whose
-- placement may have changed, i.e. those in the edited area).
UPDATE building b SET micro_grid_code = m.code
FROM building_assignment a JOIN micro_grid m ON m.id = a.micro_grid_id
WHERE a.building_id = b.id AND b.footprint && ST_GeomFromText(%(area)s, 4326)
  AND ST_Intersects(b.footprint, ST_GeomFromText(%(area)s, 4326))
  AND b.micro_grid_code IS DISTINCT FROM m.code
