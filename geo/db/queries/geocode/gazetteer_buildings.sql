-- Every building with its standard address and the names of the areas around it (city,
-- county, township, community), found spatially so that buildings imported without codes
-- get them too.
SELECT b.id, b.standard_address,
       array_remove(ARRAY[city.name, county.name, township.name, community.name], NULL) AS areas
FROM building b
LEFT JOIN LATERAL (
    SELECT a.id, a.name, a.parent_id FROM admin_area a
    WHERE a.level = 4 AND ST_Covers(a.geom, ST_PointOnSurface(b.footprint))
    ORDER BY a.code LIMIT 1
) community ON true
LEFT JOIN admin_area township ON township.id = community.parent_id
LEFT JOIN admin_area county ON county.id = township.parent_id
LEFT JOIN admin_area city ON city.id = county.parent_id
ORDER BY b.id
