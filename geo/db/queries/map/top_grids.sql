-- The %(limit)s basic grids among %(grid_ids)s with the highest latest risk score.
SELECT r.code, g.name, r.score, r.level, r.hotspot, r.trend_week
FROM grid g
JOIN risk_score r ON r.code = g.code AND r.as_of = (SELECT max(as_of) FROM risk_score)
WHERE g.id = ANY (%(grid_ids)s::int[])
ORDER BY r.score DESC, r.code
LIMIT %(limit)s
