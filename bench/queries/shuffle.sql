-- Benchmark: spatially random cases. Every placed case moves to the building drawn for it
-- (bench_shuffle, filled from Python) and to that building's grid. Run inside a transaction
-- that is rolled back.
UPDATE case_assignment p SET building_id = s.building_id, grid_id = a.grid_id
FROM bench_shuffle s JOIN building_assignment a ON a.building_id = s.building_id AND a.status = 'assigned'
WHERE s.case_id = p.case_id AND p.status = 'assigned'
