-- The latest risk scores of the given units (areas or grids).
SELECT code, as_of, kind, score, score_low, score_high, relative_risk, level, hotspot, emerging,
       trend_week, trend_month, explanation_zh, explanation_en,
       risk_low, risk_high, risk_trend_week, risk_trend_month, gi_z, gi_q
FROM risk_score
WHERE as_of = (SELECT max(as_of) FROM risk_score) AND code = ANY (%(codes)s)
