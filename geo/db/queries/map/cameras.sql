-- Cameras in the box, at most %(limit)s.
SELECT code, name, kind, round(ST_X(geom)::numeric, 5) AS lon, round(ST_Y(geom)::numeric, 5) AS lat
FROM camera
WHERE geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
ORDER BY code LIMIT %(limit)s
