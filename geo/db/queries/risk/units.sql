-- Every current basic grid with the areas that contain it, for roll-ups. An area missing
-- from the chain (an orphan) leaves NULLs above it.
SELECT g.id AS grid_id, g.code AS grid, g.households,
       community.code AS community, township.code AS township, county.code AS county, city.code AS city
FROM grid_current g
LEFT JOIN admin_area community ON community.id = g.community_id
LEFT JOIN admin_area township ON township.id = community.parent_id
LEFT JOIN admin_area county ON county.id = township.parent_id
LEFT JOIN admin_area city ON city.id = county.parent_id
WHERE g.is_basic
ORDER BY g.code
