-- Row counts per level of the hierarchy and per layer, for the overview page and CLI.
SELECT layer, count FROM (
    SELECT 1 AS seq, 'city' AS layer, count(*) FROM admin_area WHERE level = 1
    UNION ALL SELECT 2, 'county', count(*) FROM admin_area WHERE level = 2
    UNION ALL SELECT 3, 'township', count(*) FROM admin_area WHERE level = 3
    UNION ALL SELECT 4, 'community', count(*) FROM admin_area WHERE level = 4
    UNION ALL SELECT 5, 'grid_basic', count(*) FROM grid_current WHERE is_basic
    UNION ALL SELECT 6, 'grid_exclusive', count(*) FROM grid_current WHERE kind = 'exclusive'
    UNION ALL SELECT 7, 'grid_all_levels', count(*) FROM grid_current
    UNION ALL SELECT 8, 'micro_grid', count(*) FROM micro_grid_current
    UNION ALL SELECT 9, 'building', count(*) FROM building
    UNION ALL SELECT 10, 'building_unit', count(*) FROM building_unit
    UNION ALL SELECT 11, 'households', coalesce(sum(households), 0) FROM building
    UNION ALL SELECT 12, 'case', count(*) FROM cases
    UNION ALL SELECT 13, 'key_person', count(*) FROM sensitive.key_person
    UNION ALL SELECT 14, 'key_place', count(*) FROM key_place
    UNION ALL SELECT 15, 'camera', count(*) FROM camera
    UNION ALL SELECT 16, 'centre', count(*) FROM centre
    UNION ALL SELECT 17, 'road', count(*) FROM basemap.road
    UNION ALL SELECT 18, 'water', count(*) FROM basemap.water
) counts ORDER BY seq
