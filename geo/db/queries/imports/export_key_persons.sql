-- Key persons as counts per grid and category, never one row per person; registered on or
-- before %(at)s. geo/imports/export.py hides counts as the map does before anything is written.
SELECT g.code AS grid_code, g.name AS grid_name, k.category_code AS category,
       count(*) AS persons, false AS suppressed, ST_AsBinary(g.geom) AS geom
FROM sensitive.key_person_located k
JOIN grid g ON g.id = k.grid_id
WHERE k.active AND (%(at)s::timestamptz IS NULL OR k.registered_on < %(at)s)
  AND (%(county)s::text IS NULL OR ST_Covers((SELECT geom FROM admin_area WHERE code = %(county)s),
                                             ST_PointOnSurface(g.geom)))
GROUP BY g.code, g.name, g.geom, k.category_code
ORDER BY g.code, k.category_code
