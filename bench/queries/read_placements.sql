COPY (
    SELECT a.case_id, a.status, a.method, a.confidence, a.point, a.grid_id, a.micro_grid_id,
           a.building_id, a.building_distance_m, a.nearest_grid_id, a.outside_distance_m,
           a.address_conflict_m, a.address_key, a.candidates, a.boundary_version_id, a.reported_at,
           a.category_code, a.source, a.closed, a.deadline
    FROM case_assignment a JOIN cases c ON c.id = a.case_id
    WHERE c.code LIKE 'BENCH%'
) TO STDOUT (FORMAT csv, HEADER)
