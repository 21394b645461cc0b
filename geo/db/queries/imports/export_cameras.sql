-- Cameras in the import's field names.
SELECT c.code, c.name, c.kind, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, ST_AsBinary(c.geom) AS geom
FROM camera c
WHERE %(county)s::text IS NULL OR ST_Covers((SELECT geom FROM admin_area WHERE code = %(county)s), c.geom)
ORDER BY c.code
