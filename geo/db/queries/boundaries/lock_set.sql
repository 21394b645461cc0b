-- The communities a boundary commit or preview of draft %(draft_id)s locks, by id (the order
-- they are locked in): its own (own = true) and every community its edit can reach: those
-- whose outline lies within %(margin_deg)s degrees of the community's outline, and those with
-- a current grid on its ground (a grid already straying over the outline). A draft only
-- redraws its own community's grids and validation keeps them inside the outline (a grid of
-- its own that already strays out lies on a neighbour's ground), so two commits conflict only
-- when one's community reaches the other's.
WITH draft AS (
    SELECT d.community_id, c.geom FROM boundary_draft d JOIN admin_area c ON c.id = d.community_id
    WHERE d.id = %(draft_id)s
), near AS (
    SELECT a.id FROM draft d JOIN admin_area a ON a.level = 4 AND ST_DWithin(a.geom, d.geom, %(margin_deg)s)
    UNION
    SELECT g.community_id FROM draft d JOIN grid_current g ON ST_Intersects(g.geom, d.geom)
    WHERE g.community_id IS NOT NULL
    UNION
    SELECT community_id FROM draft
)
SELECT n.id, n.id = d.community_id AS own FROM near n CROSS JOIN draft d ORDER BY n.id
