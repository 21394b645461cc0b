-- The hierarchy the key-person tables follow, as the map drills it: every admin area below
-- its parent area (NULL at the top), every current basic grid below its community (or the
-- area it hangs from directly). Codes only; the counts come from key_persons_by_grid_category.
SELECT a.code, p.code AS parent_code, false AS is_grid
FROM admin_area a
LEFT JOIN admin_area p ON p.id = a.parent_id
UNION ALL
SELECT g.code, a.code, true
FROM grid_current g
JOIN admin_area a ON a.id = g.community_id
WHERE g.is_basic
