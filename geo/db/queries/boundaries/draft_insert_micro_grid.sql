INSERT INTO boundary_draft_micro_grid (draft_id, code, base_id, grid_code, kind, households, geom)
VALUES (%(draft_id)s, %(code)s, %(base_id)s, %(grid_code)s, %(kind)s, %(households)s, ST_GeomFromWKB(%(wkb)s, 4326))
