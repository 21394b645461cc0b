-- Every building with its standard address and a point inside its footprint, for the
-- gazetteer to find the community around it (geo/geocode/gazetteer.py), so that buildings
-- imported without codes get the area names too.
SELECT b.id, b.standard_address, ST_X(p.point), ST_Y(p.point)
FROM building b CROSS JOIN LATERAL (SELECT ST_PointOnSurface(b.footprint) AS point) p
ORDER BY b.id
