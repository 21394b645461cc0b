COPY case_assignment (case_id, status, method, confidence, point, grid_id, micro_grid_id, building_id,
                      building_distance_m, nearest_grid_id, outside_distance_m, address_conflict_m,
                      address_key, candidates, boundary_version_id, reported_at,
                      category_code, source, closed, deadline)
FROM STDIN (FORMAT csv)
