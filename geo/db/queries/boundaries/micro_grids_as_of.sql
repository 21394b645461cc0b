-- The micro-grids of a community's grids at %(at)s.
SELECT m.code, m.grid_code, m.kind, m.households, m.valid_from, m.valid_to, m.version_id,
       ST_AsBinary(m.geom) AS wkb
FROM micro_grid m
WHERE tstzrange(m.valid_from, m.valid_to) @> %(at)s::timestamptz
  AND m.grid_code IN (SELECT code FROM grid WHERE community_id = %(community_id)s
                      AND tstzrange(valid_from, valid_to) @> %(at)s::timestamptz)
ORDER BY m.code
