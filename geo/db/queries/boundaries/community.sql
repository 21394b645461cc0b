-- The community (admin level 4) a draft edits.
SELECT id, code, name, is_urban, ST_AsBinary(geom) AS wkb
FROM admin_area
WHERE level = 4 AND (code = %(code)s OR id = %(id)s)
