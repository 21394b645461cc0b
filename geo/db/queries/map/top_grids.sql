-- The %(limit)s basic grids of the unit with the highest latest risk score (NULL code: all).
SELECT r.code, g.name, r.score, r.level, r.hotspot, r.trend_week
FROM risk_score r
JOIN grid_path p ON p.grid_code = r.code
JOIN grid_current g ON g.id = p.grid_id
WHERE r.as_of = (SELECT max(as_of) FROM risk_score) AND r.kind = 'grid'
  AND (%(code)s::text IS NULL OR %(code)s = ANY (p.path))
ORDER BY r.score DESC, r.code
LIMIT %(limit)s
