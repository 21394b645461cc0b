-- Grids valid at %(at)s (the current ones when NULL), in the import's field names;
-- %(county)s limits them to the county covering their inner point. A grid whose community is
-- not there keeps the community code it was imported with.
SELECT g.code, g.name, g.level, g.parent_code, coalesce(a.code, g.community_code) AS community_code, g.kind,
       g.exclusive_type,
       g.is_basic, g.households, ST_AsBinary(g.geom) AS geom
FROM grid g LEFT JOIN admin_area a ON a.id = g.community_id
WHERE (%(at)s::timestamptz IS NULL AND g.valid_to IS NULL
       OR g.valid_from <= %(at)s AND (g.valid_to IS NULL OR g.valid_to > %(at)s))
  AND (%(county)s::text IS NULL OR ST_Covers((SELECT geom FROM admin_area WHERE code = %(county)s),
                                             ST_PointOnSurface(g.geom)))
ORDER BY g.code
