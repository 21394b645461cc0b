-- The highest-risk grids of the whole database are read in score order (the top of a
-- province's map and wall), not by sorting every grid's score of the day.
CREATE INDEX risk_score_rank_idx ON risk_score (as_of, kind, score DESC, code);
