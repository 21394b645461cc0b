-- Buildings that had placed cases in the last 90 days, with how many, a point on each and
-- its standard address; with %(grid_ids)s only those in these grids (NULL: anywhere).
SELECT b.id, b.standard_address, count(*) AS cases,
       ST_X(ST_PointOnSurface(b.footprint)) AS lon, ST_Y(ST_PointOnSurface(b.footprint)) AS lat
FROM case_assignment a
JOIN building b ON b.id = a.building_id
WHERE a.reported_at >= now() - interval '90 days'
  AND (%(grid_ids)s::int[] IS NULL OR a.grid_id = ANY (%(grid_ids)s))
GROUP BY b.id
