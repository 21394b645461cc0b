-- The scope's escalations of the last 24 hours, newest first, at most %(limit)s: when, the
-- case's category, its grid and the level it reached (no case text: the wall shows none).
SELECT n.at, c.category_code AS category, g.name AS grid_name, l.name_zh AS level_zh, l.name_en AS level_en,
       n.reason
FROM case_notice n
JOIN cases c ON c.id = n.case_id
JOIN case_escalation_level l ON l.code = n.level
LEFT JOIN grid g ON g.id = n.grid_id
WHERE n.at > now() - interval '24 hours'
  AND (%(grid_ids)s::int[] IS NULL OR n.grid_id = ANY (%(grid_ids)s))
ORDER BY n.at DESC, n.id DESC
LIMIT %(limit)s
