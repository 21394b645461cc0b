-- The latest risk scores of the given units (areas or grids).
SELECT code, as_of, kind, score, score_low, score_high, relative_risk, level, hotspot, emerging,
       trend_week, trend_month, explanation_zh, explanation_en
FROM risk_score
WHERE as_of = (SELECT max(as_of) FROM risk_score) AND code = ANY (%(codes)s)
