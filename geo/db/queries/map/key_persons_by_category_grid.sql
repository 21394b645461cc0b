-- Active key persons of one basic grid per category: counts only. Through the grid's
-- buildings (building_assignment_grid_idx, key_person_building_idx).
SELECT k.category_code AS category, count(*) AS persons
FROM grid_current g
JOIN building_assignment b ON b.grid_id = g.id
JOIN sensitive.key_person k ON k.building_id = b.building_id
WHERE g.code = %(code)s AND g.is_basic AND k.active
GROUP BY 1 ORDER BY 1
