-- Micro-grids valid at %(at)s (current when NULL), in the import's field names.
SELECT m.code, m.grid_code, m.kind, m.households, ST_AsBinary(m.geom) AS geom
FROM micro_grid m
WHERE (%(at)s::timestamptz IS NULL AND m.valid_to IS NULL
       OR m.valid_from <= %(at)s AND (m.valid_to IS NULL OR m.valid_to > %(at)s))
  AND (%(county)s::text IS NULL OR ST_Covers((SELECT geom FROM admin_area WHERE code = %(county)s),
                                             ST_PointOnSurface(m.geom)))
ORDER BY m.code
