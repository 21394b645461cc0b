-- The current basic grids a risk run reads (NULL grid_ids: all of them), by code.
SELECT id AS grid_id, code, households FROM grid_current
WHERE is_basic AND (%(grid_ids)s::int[] IS NULL OR id = ANY (%(grid_ids)s::int[]))
ORDER BY code
