-- On a building's view the map shows the buildings of its micro-grid (the one chosen is
-- highlighted by the page), so its neighbours stay one click away.
SELECT b.code, coalesce(nullif(concat(b.estate, b.building_no), ''), b.house_number, right(b.code, 3)) AS name,
       'building' AS kind, b.footprint AS geom
FROM building b
WHERE b.micro_grid_code = (SELECT micro_grid_code FROM building WHERE code = %(code)s)
