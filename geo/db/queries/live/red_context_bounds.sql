-- The frame of the wall tour's red grid: its community's extent (the grid's own when it is in
-- none): west, south, east, north.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (
    SELECT coalesce(a.geom, g.geom)::box2d AS e
    FROM grid_current g LEFT JOIN admin_area a ON a.id = g.community_id
    WHERE g.code = %(code)s
) framed
