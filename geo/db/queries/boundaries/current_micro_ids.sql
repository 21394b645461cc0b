SELECT m.id FROM micro_grid m
JOIN grid g ON g.code = m.grid_code AND g.valid_to IS NULL AND g.community_id = %(community_id)s
WHERE m.valid_to IS NULL
ORDER BY m.id
