-- The last line of defence, inside the commit's transaction: a new basic grid row that
-- overlaps any current basic grid (of this community or another) by more than
-- %(min_area_m2)s m². Validation should have stopped it; if it did not, the commit is undone.
SELECT n.code, o.code, ST_Area(ST_Intersection(n.geom, o.geom)::geography) AS area_m2
FROM grid_current n
JOIN grid_current o ON o.geom && n.geom AND o.id <> n.id AND o.is_basic
WHERE n.id = ANY (%(ids)s) AND n.is_basic
  AND ST_Relate(n.geom, o.geom, '2********')
  AND ST_Area(ST_Intersection(n.geom, o.geom)::geography) > %(min_area_m2)s
LIMIT 5
