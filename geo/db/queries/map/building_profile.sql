-- A building's facts for its profile: standard address, kind, floors, households.
SELECT b.code, b.standard_address, b.kind, b.floors, b.unit_count, b.households, b.micro_grid_code,
       m.grid_code
FROM building b LEFT JOIN micro_grid_current m ON m.code = b.micro_grid_code
WHERE b.code = %(code)s
