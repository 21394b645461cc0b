-- Buildings whose placement is to be (re)computed; the condition (on `b`, the building, and
-- `a`, its stored placement) is filled in by geo/geocode/buildings.py.
SELECT b.id, ST_X(p) AS lon, ST_Y(p) AS lat
FROM building b
CROSS JOIN ST_PointOnSurface(b.footprint) p
LEFT JOIN building_assignment a ON a.building_id = b.id
WHERE {where}
ORDER BY b.id
