-- Pairs of current basic grids that touch or lie within a metre of each other (queen
-- contiguity, tolerant of the slivers that real boundary files have). Each pair once.
SELECT a.id AS grid_id, b.id AS neighbour_id
FROM grid_current a
JOIN grid_current b
  ON a.id < b.id AND b.is_basic AND ST_DWithin(a.geom, b.geom, %(tolerance_deg)s)
WHERE a.is_basic
