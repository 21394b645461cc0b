-- Active key persons per child area (or basic grid) of an admin area: counts only, never a
-- person. Small counts are suppressed by the caller.
SELECT g.child AS code, count(*) AS persons
FROM unnest(%(grid_ids)s::int[], %(children)s::text[]) AS g (grid_id, child)
JOIN building_assignment b ON b.grid_id = g.grid_id
JOIN sensitive.key_person k ON k.building_id = b.building_id
WHERE k.active
GROUP BY 1
