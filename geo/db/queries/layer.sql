-- One layer the geocoder reads into memory ({columns} and the geometry of {source} rows
-- that pass {condition}): all of them, or those whose geometry meets one of the boxes.
SELECT {columns}, ST_AsBinary(t.{geom}) AS wkb
FROM {source} t
WHERE {condition} AND (%(boxes)s::text[] IS NULL OR t.id IN (
    SELECT x.id FROM {source} x JOIN unnest(%(boxes)s::text[]) AS b(wkt)
    ON x.{geom} && ST_GeomFromText(b.wkt, 4326)))
ORDER BY {order}
