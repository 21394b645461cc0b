-- A bare copy of the benchmark points for the naive UPDATE (no indexes to maintain).
CREATE TEMP TABLE naive_points ON COMMIT DROP AS
SELECT id, geom, NULL::integer AS grid_id FROM cases WHERE id >= %s
