-- Cases counted in the cells of a %(columns)s × %(rows)s raster over the box
-- [%(west)s, %(east)s] × [%(south_y)s, %(north_y)s], x in degrees and y in Web Mercator
-- units of the sphere (ln tan(π/4 + φ/2)), so that the image lies right on the map.
SELECT cell_x, cell_y, count(*) AS cases
FROM ({scope}) s
JOIN case_assignment a ON a.case_id = s.case_id
JOIN cases c ON c.id = s.case_id
CROSS JOIN LATERAL (SELECT coalesce(a.point, c.geom) AS point) p
CROSS JOIN LATERAL (
    SELECT floor((ST_X(p.point) - %(west)s) / (%(east)s - %(west)s) * %(columns)s)::int AS cell_x,
           floor((%(north_y)s - ln(tan(pi() / 4 + radians(ST_Y(p.point)) / 2)))
                 / (%(north_y)s - %(south_y)s) * %(rows)s)::int AS cell_y
) cell
WHERE s.reported_at >= %(start)s AND s.reported_at < %(end)s AND {case_filter} AND p.point IS NOT NULL
  AND cell_x BETWEEN 0 AND %(columns)s - 1 AND cell_y BETWEEN 0 AND %(rows)s - 1
GROUP BY 1, 2
