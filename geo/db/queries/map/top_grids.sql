-- The %(limit)s basic grids among %(grid_ids)s with the highest latest relative risk (not the
-- score: it saturates at the top, migration 0035).
SELECT r.code, g.name, r.score, r.relative_risk, r.risk_low, r.risk_high, r.level, r.hotspot, r.risk_trend_week
FROM grid g
JOIN risk_score r ON r.code = g.code AND r.as_of = (SELECT max(as_of) FROM risk_score)
WHERE g.id = ANY (%(grid_ids)s::int[])
ORDER BY r.relative_risk DESC, r.code
LIMIT %(limit)s
