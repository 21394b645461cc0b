-- The scope's basic grid that turned red most recently: red in the latest scores and of a
-- lower level in its previous snapshot (a grid without one has not been seen to rise), the
-- latest rescored first; failing that, the
-- red grid of the highest relative risk (the wall then says so: its title must fit). With its
-- explanation, relative risk and change.
WITH latest AS (SELECT max(as_of) AS as_of FROM risk_score)
SELECT r.code, g.name, r.score, r.relative_risk, r.risk_trend_week, r.level, r.explanation_zh, r.explanation_en,
       r.updated_at, coalesce(prev.level <> 'red', false) AS newly_red
FROM latest
JOIN risk_score r ON r.as_of = latest.as_of AND r.kind = 'grid' AND r.level = 'red'
JOIN grid_current g ON g.code = r.code
LEFT JOIN LATERAL (
    SELECT p.level FROM risk_score p WHERE p.code = r.code AND p.kind = 'grid' AND p.as_of < latest.as_of
    ORDER BY p.as_of DESC LIMIT 1
) prev ON true
WHERE %(grid_ids)s::int[] IS NULL OR g.id = ANY (%(grid_ids)s)
ORDER BY newly_red DESC, r.updated_at DESC, r.relative_risk DESC, r.code
LIMIT 1
