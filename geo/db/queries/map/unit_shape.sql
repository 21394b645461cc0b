-- The shape a unit's points are kept inside: an area's or a basic grid's own, a micro-grid's
-- or a building's grid (so a layer never shows what lies beyond the unit's jurisdiction).
SELECT geom FROM admin_area WHERE code = %(code)s
UNION ALL SELECT geom FROM grid_current WHERE code = %(code)s AND is_basic
UNION ALL SELECT g.geom FROM micro_grid_current m JOIN grid_current g ON g.code = m.grid_code WHERE m.code = %(code)s
UNION ALL SELECT g.geom FROM building b JOIN micro_grid_current m ON m.code = b.micro_grid_code
    JOIN grid_current g ON g.code = m.grid_code WHERE b.code = %(code)s
LIMIT 1
