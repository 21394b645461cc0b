-- Assign cases that carry a WGS84 point and no assignment yet: the current basic grid that
-- covers the point (the lowest code wins where a point lies on a shared boundary), the
-- micro-grid of that grid covering it, and the building whose footprint covers it.
-- The full geocoder (coordinates in other systems, addresses, nearest building) builds on this.
WITH located AS (
    SELECT c.id AS case_id, g.id AS grid_id, g.version_id, m.id AS micro_grid_id, b.id AS building_id
    FROM cases c
    CROSS JOIN LATERAL (
        SELECT id, code, version_id FROM grid_current
        WHERE is_basic AND ST_Covers(geom, c.geom) ORDER BY code LIMIT 1
    ) g
    LEFT JOIN LATERAL (
        SELECT id FROM micro_grid_current
        WHERE grid_code = g.code AND ST_Covers(geom, c.geom) ORDER BY code LIMIT 1
    ) m ON true
    LEFT JOIN LATERAL (
        SELECT id FROM building WHERE ST_Covers(footprint, c.geom) ORDER BY id LIMIT 1
    ) b ON true
    WHERE c.geom IS NOT NULL AND c.grid_id IS NULL
)
UPDATE cases c
SET grid_id = l.grid_id,
    micro_grid_id = l.micro_grid_id,
    building_id = l.building_id,
    assign_method = 'coordinates',
    assign_confidence = CASE WHEN l.building_id IS NULL THEN 0.8 ELSE 1.0 END,
    assigned_at = now(),
    boundary_version_id = l.version_id
FROM located l
WHERE c.id = l.case_id;
