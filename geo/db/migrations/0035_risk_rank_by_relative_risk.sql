-- The score 100·(1 − 2^−risk) saturates at the top: every grid at ten times a typical one or
-- more reads 99.9–100.0, so the hottest grids could not be told apart. Rankings, intervals and
-- changes are read on the relative risk itself (README, "Risk scores"): its interval, and its
-- change since a week and a month before (in the same units, times a typical unit).
ALTER TABLE risk_score
    ADD COLUMN risk_low         real CHECK (risk_low <= relative_risk),
    ADD COLUMN risk_high        real CHECK (risk_high >= relative_risk),
    ADD COLUMN risk_trend_week  real,   -- relative risk minus that of 7 days before
    ADD COLUMN risk_trend_month real;   -- ... of trend_month_days before

-- Rows stored before: the interval is the score's, mapped back (exact up to the stored
-- precision, which is what made the top unreadable); their changes stay unknown.
UPDATE risk_score
SET risk_low = least(relative_risk, -log(2.0, greatest(1e-6, 1 - score_low / 100.0)::numeric)::real),
    risk_high = greatest(relative_risk, -log(2.0, greatest(1e-6, 1 - score_high / 100.0)::numeric)::real);
ALTER TABLE risk_score ALTER COLUMN risk_low SET NOT NULL, ALTER COLUMN risk_high SET NOT NULL;

DROP INDEX risk_score_rank_idx;
CREATE INDEX risk_score_rank_idx ON risk_score (as_of, kind, relative_risk DESC, code);
