-- The children of a micro-grid on the map: its buildings, named by estate and number.
SELECT code, coalesce(nullif(concat(estate, building_no), ''), house_number, right(code, 3)) AS name,
       'building' AS kind, footprint AS geom
FROM building
WHERE micro_grid_code = %(code)s
