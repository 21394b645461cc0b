SELECT code, base_id, grid_code, kind, households, ST_AsBinary(geom) AS wkb
FROM boundary_draft_micro_grid WHERE draft_id = %(draft_id)s
ORDER BY code
