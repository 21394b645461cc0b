-- One page of a collection's features (its source query, geo/ogc/collections.py) for the
-- presented session: in its jurisdiction, in the bbox if one is given, by id, after a cursor
-- or an offset; one more than the page is asked for, to know whether a next page exists.
WITH scope AS MATERIALIZED ({scope}),
features AS ({source}),
-- The page is cut first, then drawn: the rows an offset skips are never turned into GeoJSON.
page AS (
    SELECT fid, geom, properties FROM features
    WHERE (%(fid)s::text IS NULL OR fid = %(fid)s)
      AND (%(after)s::text IS NULL OR fid > %(after)s)  -- the next link's cursor: no rows skipped
      -- property filters (?name=…&level=3): each property's value, as text, is the one asked for
      AND (%(equal)s::jsonb IS NULL
           OR NOT EXISTS (SELECT FROM jsonb_each_text(%(equal)s::jsonb) wanted
                          WHERE properties ->> wanted.key IS DISTINCT FROM wanted.value))
      AND (%(west)s::float8 IS NULL
           OR geom && ST_Transform(ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, %(bbox_srid)s::int), 4326))
    ORDER BY fid
    LIMIT %(limit)s + 1 OFFSET %(offset)s
)
-- The output CRS: CRS84 as stored (lon, lat), CGCS2000 in its own axis order (lat, lon), or
-- Web Mercator (x, y in metres); the bbox is in its own CRS (already in x, y order).
SELECT fid,
       ST_AsGeoJSON(CASE %(srid)s::int
                        WHEN 4326 THEN geom
                        WHEN 4490 THEN ST_FlipCoordinates(ST_Transform(geom, 4490))
                        ELSE ST_Transform(geom, %(srid)s::int) END, %(digits)s::int, 0) AS geometry,  -- 0: no "crs" member
       properties::text
FROM page
ORDER BY fid
