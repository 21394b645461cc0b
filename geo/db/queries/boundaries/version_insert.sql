INSERT INTO boundary_version (author, note, community_id, draft_id)
VALUES (%(author)s, %(note)s, %(community_id)s, %(draft_id)s)
RETURNING id, created_at
