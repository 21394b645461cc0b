-- Every community (level 4) in code order, with its outline and the names of the areas it
-- lies in: city, county, township and its own (those it has).
SELECT ST_AsBinary(community.geom),
       array_remove(ARRAY[city.name, county.name, township.name, community.name], NULL) AS areas
FROM admin_area community
LEFT JOIN admin_area township ON township.id = community.parent_id
LEFT JOIN admin_area county ON county.id = township.parent_id
LEFT JOIN admin_area city ON city.id = county.parent_id
WHERE community.level = 4
ORDER BY community.code
