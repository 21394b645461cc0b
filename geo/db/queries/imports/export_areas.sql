-- Administrative areas for export, in the import's field names; %(county)s limits them to
-- one county and the areas under it (by the division code's prefix).
SELECT a.code, a.name, a.level, a.kind, p.code AS parent_code, a.is_urban, ST_AsBinary(a.geom) AS geom
FROM admin_area a LEFT JOIN admin_area p ON p.id = a.parent_id
WHERE %(county)s::text IS NULL OR a.code LIKE %(county)s || '%%'
ORDER BY a.level, a.code
