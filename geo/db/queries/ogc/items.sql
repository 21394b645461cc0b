-- One page of a collection's features (its source query, geo/ogc/collections.py) for the
-- presented session: in its jurisdiction, in the bbox if one is given, by id; one more than
-- the page is asked for, to know whether a next page exists.
WITH scope AS MATERIALIZED (
    SELECT auth.session_whole() AS whole, auth.session_codes() AS codes, auth.session_grid_ids() AS grid_ids,
           auth.session_outline() AS outline
),
features AS ({source})
SELECT fid, ST_AsGeoJSON(geom, 7) AS geometry, properties::text
FROM features
WHERE (%(fid)s::text IS NULL OR fid = %(fid)s)
  AND (%(west)s::float8 IS NULL OR geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326))
ORDER BY fid
LIMIT %(limit)s + 1 OFFSET %(offset)s
