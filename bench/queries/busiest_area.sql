-- The admin area of level %(level)s with the most placed cases (by its daily facts).
SELECT a.code FROM admin_area a JOIN case_area_day f ON f.area_id = a.id
WHERE a.level = %(level)s GROUP BY a.code ORDER BY sum(f.n) DESC, a.code LIMIT 1
