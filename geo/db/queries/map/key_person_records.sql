-- The active key persons of the buildings the scope query gives (key_person_records_grid,
-- _micro_grid or _building): one row each with its category's names, its building's code and
-- standard address, and its unit (单元) number when it has one. Read as the dashboard's role,
-- the rows are only those row-level security lets through (migration 0016). `total` counts
-- every row before the limit, so that a cut list can say how much it left out.
SELECT k.pseudonym, k.category_code, c.name_zh, c.name_en, k.care_level, k.registered_on,
       b.code AS building_code, b.standard_address, u.unit_no, count(*) OVER () AS total
FROM ({buildings}) scope
JOIN sensitive.key_person k ON k.building_id = scope.building_id
JOIN sensitive.key_person_category c ON c.code = k.category_code
JOIN building b ON b.id = k.building_id
LEFT JOIN building_unit u ON u.id = k.unit_id
WHERE k.active
ORDER BY b.code, u.unit_no NULLS FIRST, k.pseudonym
LIMIT %(limit)s
