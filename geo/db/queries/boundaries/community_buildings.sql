-- The buildings of a community: those whose point on the surface lies in it (where a
-- building is counted, as the geocoder places it).
SELECT b.id, b.code, b.households, ST_AsBinary(b.footprint) AS wkb
FROM building b
JOIN admin_area a ON a.id = %(community_id)s
WHERE b.footprint && a.geom AND ST_Intersects(ST_PointOnSurface(b.footprint), a.geom)
ORDER BY b.id
