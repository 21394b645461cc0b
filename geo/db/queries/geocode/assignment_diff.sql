-- The ids among freshly computed placements (in temp table fresh_assignment) whose stored
-- placement differs in anything but the time it was made.
SELECT f.case_id
FROM fresh_assignment f JOIN case_assignment a USING (case_id)
WHERE (a.status, a.method, a.grid_id, a.micro_grid_id, a.building_id, a.nearest_grid_id,
       a.confidence, a.building_distance_m, a.outside_distance_m, a.address_conflict_m,
       a.address_key, a.candidates, ST_AsEWKB(a.point))
      IS DISTINCT FROM
      (f.status, f.method, f.grid_id, f.micro_grid_id, f.building_id, f.nearest_grid_id,
       f.confidence, f.building_distance_m, f.outside_distance_m, f.address_conflict_m,
       f.address_key, f.candidates, ST_AsEWKB(f.point))
