-- Before a dry-run commit: the cases of the last 12 months placed on the grid versions about
-- to close, and their grid (a temporary table, gone with the transaction).
CREATE TEMP TABLE impact_cases ON COMMIT DROP AS
SELECT a.case_id, g.code AS before_code
FROM case_assignment a JOIN grid g ON g.id = a.grid_id
WHERE a.grid_id = ANY (%(closed)s) AND a.reported_at >= now() - interval '12 months'
