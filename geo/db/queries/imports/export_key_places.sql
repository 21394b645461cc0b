-- Key places in the import's field names.
SELECT k.code, k.name, k.category, k.address, ST_X(k.geom) AS lon, ST_Y(k.geom) AS lat, ST_AsBinary(k.geom) AS geom
FROM key_place k
WHERE %(county)s::text IS NULL OR ST_Covers((SELECT geom FROM admin_area WHERE code = %(county)s), k.geom)
ORDER BY k.code
