SELECT code, id AS base_id, grid_code, kind, households, ST_AsBinary(geom) AS wkb
FROM micro_grid WHERE id = ANY (%(ids)s)
ORDER BY code
