INSERT INTO micro_grid (code, grid_code, kind, households, geom, valid_from, version_id)
VALUES (%(code)s, %(grid_code)s, %(kind)s, %(households)s, ST_Multi(ST_GeomFromWKB(%(wkb)s, 4326)), %(at)s,
        %(version_id)s)
RETURNING id
