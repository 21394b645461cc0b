-- Every building with its standard address and a point inside its footprint, for the
-- gazetteer to find the community around it (geo/geocode/gazetteer.py), so that buildings
-- imported without codes get the area names too. An empty footprint has no point: NaN, in
-- no community.
SELECT b.id, b.standard_address, coalesce(ST_X(p.point), 'NaN'), coalesce(ST_Y(p.point), 'NaN')
FROM building b CROSS JOIN LATERAL (SELECT ST_PointOnSurface(b.footprint) AS point) p
ORDER BY b.id
