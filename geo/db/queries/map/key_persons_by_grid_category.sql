-- Active key persons per current basic grid and category, for the whole hierarchy at once:
-- counts only, never a person. Suppression (geo/map/suppression.py) needs every table of the
-- hierarchy, since a cell hidden in one table is a total in the next.
SELECT g.code AS grid, k.category_code AS category, count(*) AS persons
FROM grid_current g
JOIN building_assignment b ON b.grid_id = g.id
JOIN sensitive.key_person k ON k.building_id = b.building_id
WHERE g.is_basic AND k.active
GROUP BY 1, 2
