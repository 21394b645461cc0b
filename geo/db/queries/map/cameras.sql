-- Cameras in the box and inside the unit's shape (map/unit_shape), at most %(limit)s.
SELECT code, name, kind, round(ST_X(geom)::numeric, 5) AS lon, round(ST_Y(geom)::numeric, 5) AS lat
FROM camera
WHERE geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
  AND (%(code)s::text IS NULL OR ST_Intersects(geom, ({shape})))
ORDER BY code LIMIT %(limit)s
