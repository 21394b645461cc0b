-- Administrative areas for export, in the import's field names; %(county)s limits them to
-- one county and the areas under it (down the stored parent links, whatever the codes look
-- like). An area whose parent is not there keeps the parent code it was imported with.
WITH RECURSIVE chosen AS (
    SELECT id FROM admin_area WHERE code = %(county)s
    UNION ALL
    SELECT c.id FROM admin_area c JOIN chosen ON c.parent_id = chosen.id
)
SELECT a.code, a.name, a.level, a.kind, coalesce(p.code, a.parent_code) AS parent_code, a.is_urban,
       ST_AsBinary(a.geom) AS geom
FROM admin_area a LEFT JOIN admin_area p ON p.id = a.parent_id
WHERE %(county)s::text IS NULL OR a.id IN (SELECT id FROM chosen)
ORDER BY a.level, a.code
