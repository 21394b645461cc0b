-- The communities a boundary commit or preview of draft %(draft_id)s locks, by id (the order
-- they are locked in): its own (own = true) and every community its edit can reach, that is
-- every community whose outline, or any of whose current grids, lies within %(margin_deg)s
-- degrees of the community's outline, of the rows the draft started from or of the draft's
-- grids. A draft only redraws its own community's grids, and validation keeps them inside
-- it, so two commits conflict only when one's community reaches the other's.
WITH draft AS (
    SELECT community_id, base_grid_ids FROM boundary_draft WHERE id = %(draft_id)s
), reach AS (
    SELECT a.geom FROM admin_area a JOIN draft d ON a.id = d.community_id
    UNION ALL
    SELECT g.geom FROM grid g JOIN draft d ON g.id = ANY (d.base_grid_ids)
    UNION ALL
    SELECT g.geom FROM boundary_draft_grid g WHERE g.draft_id = %(draft_id)s
), near AS (
    SELECT a.id FROM admin_area a JOIN reach r ON ST_DWithin(a.geom, r.geom, %(margin_deg)s)
    WHERE a.level = 4
    UNION
    SELECT g.community_id FROM grid_current g JOIN reach r ON ST_DWithin(g.geom, r.geom, %(margin_deg)s)
    WHERE g.community_id IS NOT NULL
    UNION
    SELECT community_id FROM draft
)
SELECT n.id, n.id = d.community_id AS own FROM near n CROSS JOIN draft d ORDER BY n.id
