-- Every current basic grid with the areas that contain it, for roll-ups. An area missing
-- from the chain (an orphan) leaves NULLs above it. county_key: the grid's county_code (0025),
-- which its placements carry. Restricted to one county (its code) or
-- to given grids, or to the grids outside any county when asked: a county's partition of a recompute (geo/risk/partition.py).
SELECT g.id AS grid_id, g.code AS grid, g.households,
       community.code AS community, township.code AS township, county.code AS county, city.code AS city,
       g.county_code AS county_key
FROM grid_current g
LEFT JOIN admin_area community ON community.id = g.community_id
LEFT JOIN admin_area township ON township.id = community.parent_id
LEFT JOIN admin_area county ON county.id = township.parent_id
LEFT JOIN admin_area city ON city.id = county.parent_id
WHERE g.is_basic
  AND (%(county)s::text IS NULL OR county.code = %(county)s::text)
  AND (%(grid_ids)s::int[] IS NULL OR g.id = ANY (%(grid_ids)s::int[]))
  AND (NOT %(orphans)s OR county.code IS NULL)
ORDER BY g.code
