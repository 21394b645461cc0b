-- Active key persons of one building per category: counts only.
SELECT k.category_code AS category, count(*) AS persons
FROM building b
JOIN sensitive.key_person k ON k.building_id = b.id
WHERE b.code = %(code)s AND k.active
GROUP BY 1 ORDER BY 1
