-- Whether a day's snapshot scores exactly the current basic grids (if not, grids were
-- redrawn since and only a full run puts things right).
SELECT count(*) FILTER (WHERE s.code IS NULL OR g.code IS NULL) = 0
FROM (SELECT code FROM grid_current WHERE is_basic) g
FULL JOIN (SELECT code FROM risk_score WHERE as_of = %s AND kind = 'grid') s ON s.code = g.code
