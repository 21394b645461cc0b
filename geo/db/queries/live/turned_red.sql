-- The scope's basic grid that turned red most recently: red in the latest scores and not red
-- in its previous snapshot (or without one), the latest rescored first; failing that, the
-- highest-scoring red grid. With its explanation and bounds.
WITH latest AS (SELECT max(as_of) AS as_of FROM risk_score)
SELECT r.code, g.name, r.score, r.level, r.explanation_zh, r.explanation_en, r.updated_at,
       prev.level IS DISTINCT FROM 'red' AS newly_red,
       ST_XMin(g.geom) AS west, ST_YMin(g.geom) AS south, ST_XMax(g.geom) AS east, ST_YMax(g.geom) AS north
FROM latest
JOIN risk_score r ON r.as_of = latest.as_of AND r.kind = 'grid' AND r.level = 'red'
JOIN grid_current g ON g.code = r.code
LEFT JOIN LATERAL (
    SELECT p.level FROM risk_score p WHERE p.code = r.code AND p.kind = 'grid' AND p.as_of < latest.as_of
    ORDER BY p.as_of DESC LIMIT 1
) prev ON true
WHERE %(grid_ids)s::int[] IS NULL OR g.id = ANY (%(grid_ids)s)
ORDER BY newly_red DESC, r.updated_at DESC, r.score DESC, r.code
LIMIT 1
