-- Row counts per level of the hierarchy and per layer, for the overview page and CLI.
SELECT 'city' AS layer, count(*) FROM admin_area WHERE level = 1
UNION ALL SELECT 'county', count(*) FROM admin_area WHERE level = 2
UNION ALL SELECT 'township', count(*) FROM admin_area WHERE level = 3
UNION ALL SELECT 'community', count(*) FROM admin_area WHERE level = 4
UNION ALL SELECT 'grid_basic', count(*) FROM grid_current WHERE is_basic
UNION ALL SELECT 'grid_exclusive', count(*) FROM grid_current WHERE kind = 'exclusive'
UNION ALL SELECT 'grid_all_levels', count(*) FROM grid_current
UNION ALL SELECT 'micro_grid', count(*) FROM micro_grid_current
UNION ALL SELECT 'building', count(*) FROM building
UNION ALL SELECT 'building_unit', count(*) FROM building_unit
UNION ALL SELECT 'households', coalesce(sum(households), 0) FROM building
UNION ALL SELECT 'case', count(*) FROM cases
UNION ALL SELECT 'key_person', count(*) FROM sensitive.key_person
UNION ALL SELECT 'key_place', count(*) FROM key_place
UNION ALL SELECT 'camera', count(*) FROM camera
UNION ALL SELECT 'centre', count(*) FROM centre
UNION ALL SELECT 'road', count(*) FROM basemap.road
UNION ALL SELECT 'water', count(*) FROM basemap.water
