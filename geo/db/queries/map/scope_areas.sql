-- The placed cases inside an admin area, each with the child area (or basic grid) it falls
-- in. With %(code)s NULL: every placed case, by top-level area.
SELECT a.case_id,
       CASE WHEN %(code)s::text IS NULL THEN p.path[1]
            ELSE p.path[array_position(p.path, %(code)s) + 1] END AS child
FROM grid_path p
JOIN case_assignment a ON a.grid_id = p.grid_id
WHERE %(code)s::text IS NULL OR %(code)s = ANY (p.path)
