-- The people who work a grid: grid head, grid police officer, full- and part-time workers.
SELECT role, name FROM grid_staff WHERE grid_code = %(code)s
ORDER BY CASE role WHEN 'grid_head' THEN 1 WHEN 'full_time' THEN 2 WHEN 'grid_police' THEN 3 ELSE 4 END, name
