-- Cases as the geocoder reads them: the reported point in WGS84 if the writer converted it,
-- else the raw coordinates with their system, and the address text; the condition (on `c`,
-- the case, and `a`, its placement) and an optional LIMIT are filled in by geo/geocode/store.py.
COPY (
    SELECT c.id, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat, c.raw_lon, c.raw_lat, c.raw_crs,
           c.address_text, a.method, a.building_id,
           c.reported_at, c.category_code, c.source, c.status = 'closed' AS closed, c.deadline
    FROM cases c LEFT JOIN case_assignment a ON a.case_id = c.id
    WHERE {where}
    ORDER BY c.id {limit}
) TO STDOUT (FORMAT csv, HEADER)
