-- Active key persons of one basic grid or one building per category: counts only.
SELECT k.category_code AS category, count(*) AS persons
FROM sensitive.key_person_located k
WHERE k.active
  AND (k.grid_id = (SELECT id FROM grid_current WHERE code = %(code)s AND is_basic)
       OR k.building_id = (SELECT id FROM building WHERE code = %(code)s))
GROUP BY 1 ORDER BY 1
