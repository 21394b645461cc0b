-- A new draft of community %(community_id)s: its current grid and micro-grid rows are the base.
INSERT INTO boundary_draft (community_id, author, source, base_grid_ids, base_micro_ids)
SELECT %(community_id)s, %(author)s, %(source)s,
       ARRAY(SELECT id FROM grid_current WHERE community_id = %(community_id)s ORDER BY id),
       ARRAY(SELECT m.id FROM micro_grid_current m
             JOIN grid_current g ON g.code = m.grid_code AND g.community_id = %(community_id)s ORDER BY m.id)
RETURNING id
