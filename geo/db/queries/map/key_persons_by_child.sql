-- Active key persons per child area (or basic grid) of an admin area: counts only, never a
-- person. With %(code)s NULL: per top-level area. Small counts are suppressed by the caller.
SELECT CASE WHEN %(code)s::text IS NULL THEN p.path[1]
            ELSE p.path[array_position(p.path, %(code)s) + 1] END AS code,
       count(*) AS persons
FROM grid_path p
JOIN sensitive.key_person_located k ON k.grid_id = p.grid_id
WHERE k.active AND (%(code)s::text IS NULL OR %(code)s = ANY (p.path))
GROUP BY 1
