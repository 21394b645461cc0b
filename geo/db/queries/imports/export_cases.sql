-- Cases reported before %(at)s (all when NULL) in the import's field names: the coordinates
-- as reported with their system (lon, lat, crs), and as geometry the reported point in
-- WGS84 (none for an address-only case, which the geocoder places); %(county)s by where the
-- case is drawn. A case that came with a text the catalogue did not know leaves with that text
-- and its group, and one of a channel not recognised with that channel's text, so that
-- importing the file puts it where it is (and keeps the texts).
SELECT c.code, coalesce(r.category_raw, c.category_code) AS category, k.group_code AS "group", c.summary,
       c.reported_at, coalesce(r.source_raw, c.source) AS source, c.status, c.deadline, c.closed_at, c.address_text AS address, c.raw_lon AS lon, c.raw_lat AS lat, c.raw_crs AS crs,
       ST_AsBinary(c.geom) AS geom
FROM case_located c
JOIN cases r ON r.id = c.id
JOIN case_category k ON k.code = c.category_code
WHERE (%(at)s::timestamptz IS NULL OR c.reported_at < %(at)s)
  AND (%(county)s::text IS NULL OR ST_Covers((SELECT geom FROM admin_area WHERE code = %(county)s),
                                             c.placed_point))
ORDER BY c.code
