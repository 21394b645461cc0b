-- Store building placements from temp table fresh_building; return how many changed.
WITH changed AS (
    INSERT INTO building_assignment AS a (building_id, status, grid_id, micro_grid_id, boundary_version_id)
    SELECT building_id, status, grid_id, micro_grid_id, boundary_version_id FROM fresh_building
    ON CONFLICT (building_id) DO UPDATE
    SET status = EXCLUDED.status, grid_id = EXCLUDED.grid_id, micro_grid_id = EXCLUDED.micro_grid_id,
        boundary_version_id = EXCLUDED.boundary_version_id, assigned_at = now()
    WHERE (a.status, a.grid_id, a.micro_grid_id) IS DISTINCT FROM
          (EXCLUDED.status, EXCLUDED.grid_id, EXCLUDED.micro_grid_id)
    RETURNING 1
)
SELECT count(*) FROM changed
