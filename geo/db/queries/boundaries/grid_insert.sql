INSERT INTO grid (code, name, level, is_basic, kind, exclusive_type, community_id, parent_code, households,
                  target_households, geom, valid_from, version_id)
VALUES (%(code)s, %(name)s, %(level)s, %(is_basic)s, %(kind)s, %(exclusive_type)s, %(community_id)s,
        %(parent_code)s, %(households)s,
        CASE WHEN %(target_low)s::int IS NULL THEN NULL ELSE int4range(%(target_low)s, %(target_high)s) END,
        ST_Multi(ST_GeomFromWKB(%(wkb)s, 4326)), %(at)s, %(version_id)s)
RETURNING id
