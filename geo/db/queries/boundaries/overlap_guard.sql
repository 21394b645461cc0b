-- The last line of defence, inside the commit's transaction: a new basic grid row that
-- overlaps a current basic grid (of this community or another) by more than the row it
-- replaces did (%(old_ids)s, NULL for a new grid), plus %(min_area_m2)s m². Validation should
-- have stopped it; if it did not, the commit is undone. An overlap already stored is left to
-- the planner who fixes it.
SELECT n.code, o.code, ST_Area(ST_Intersection(n.geom, o.geom)::geography) AS area_m2
FROM unnest(%(new_ids)s::int[], %(old_ids)s::int[]) AS pair (new_id, old_id)
JOIN grid_current n ON n.id = pair.new_id AND n.is_basic
LEFT JOIN grid p ON p.id = pair.old_id
JOIN grid_current o ON o.geom && n.geom AND o.id <> n.id AND o.is_basic
WHERE ST_Relate(n.geom, o.geom, '2********')
  AND ST_Area(ST_Intersection(n.geom, o.geom)::geography)
      > coalesce(ST_Area(ST_Intersection(p.geom, o.geom)::geography), 0) + %(min_area_m2)s
LIMIT 5
