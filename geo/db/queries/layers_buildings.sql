SELECT id, code, standard_address, ST_AsBinary(footprint) AS wkb
FROM building
WHERE %(boxes)s::text[] IS NULL OR id IN (
    SELECT b.id FROM building b JOIN unnest(%(boxes)s::text[]) AS box(wkt)
    ON b.footprint && ST_GeomFromText(box.wkt, 4326))
ORDER BY id
