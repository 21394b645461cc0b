-- The community's current grid and micro-grid rows, locked until the end of the transaction:
-- a second commit on the same community waits here, then finds its base closed.
SELECT g.id FROM grid g WHERE g.community_id = %(community_id)s AND g.valid_to IS NULL ORDER BY g.id FOR UPDATE
