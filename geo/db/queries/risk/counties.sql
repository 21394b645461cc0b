-- The partitions of a recompute partitioned by county: the code of every county with current
-- basic grids, and one NULL when some basic grid lies outside every county (an orphan).
SELECT DISTINCT county.code
FROM grid_current g
LEFT JOIN admin_area community ON community.id = g.community_id
LEFT JOIN admin_area township ON township.id = community.parent_id
LEFT JOIN admin_area county ON county.id = township.parent_id
WHERE g.is_basic
ORDER BY 1 NULLS LAST
