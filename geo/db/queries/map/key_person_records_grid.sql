-- The buildings placed in a current basic grid (building_assignment, as row-level security
-- reads it).
SELECT a.building_id
FROM grid_current g
JOIN building_assignment a ON a.grid_id = g.id
WHERE g.code = %(code)s AND g.is_basic
