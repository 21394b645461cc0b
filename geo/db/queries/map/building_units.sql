-- A building's units (单元) with their floors and households.
SELECT u.unit_no, u.floors, u.households
FROM building_unit u JOIN building b ON b.id = u.building_id
WHERE b.code = %(code)s
ORDER BY u.unit_no
