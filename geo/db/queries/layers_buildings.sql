SELECT id, code, standard_address, ST_AsBinary(footprint) AS wkb
FROM building
WHERE %(bbox)s::text IS NULL OR footprint && ST_GeomFromText(%(bbox)s, 4326)
ORDER BY id
