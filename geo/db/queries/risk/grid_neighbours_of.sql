-- Every current basic grid that touches or lies within a metre of one of the given basic
-- grids (queen contiguity, as grid_neighbours.sql): pairs (given grid, neighbour), both ways
-- where both are given. A county's neighbours across its border are its halo.
SELECT a.id AS grid_id, b.id AS neighbour_id
FROM grid_current a
JOIN grid_current b
  ON b.id <> a.id AND b.is_basic AND ST_DWithin(a.geom, b.geom, %(tolerance_deg)s)
WHERE a.is_basic AND a.id = ANY (%(grid_ids)s::int[])
