-- A community's grids as they were at %(at)s: the versions valid then.
SELECT code, name, level, is_basic, kind, exclusive_type, parent_code, households, valid_from, valid_to,
       version_id, ST_AsBinary(geom) AS wkb
FROM grid
WHERE community_id = %(community_id)s
  AND tstzrange(valid_from, valid_to) @> %(at)s::timestamptz
ORDER BY code
