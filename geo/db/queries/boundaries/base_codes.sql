-- The codes of the rows a draft started from.
SELECT g.code FROM boundary_draft d JOIN grid g ON g.id = ANY (d.base_grid_ids) WHERE d.id = %(draft_id)s
UNION ALL
SELECT m.code FROM boundary_draft d JOIN micro_grid m ON m.id = ANY (d.base_micro_ids) WHERE d.id = %(draft_id)s
