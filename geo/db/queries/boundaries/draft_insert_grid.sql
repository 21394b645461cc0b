INSERT INTO boundary_draft_grid (draft_id, code, base_id, name, level, is_basic, kind, exclusive_type,
                                 parent_code, households, target_households, geom)
VALUES (%(draft_id)s, %(code)s, %(base_id)s, %(name)s, %(level)s, %(is_basic)s, %(kind)s, %(exclusive_type)s,
        %(parent_code)s, %(households)s,
        CASE WHEN %(target_low)s::int IS NULL THEN NULL ELSE int4range(%(target_low)s, %(target_high)s) END,
        ST_GeomFromWKB(%(wkb)s, 4326))
