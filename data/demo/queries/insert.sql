-- One simulated case, reported now and received (受理), due by its category's clock
-- (case_deadline, migration 0033); its 'receive' event follows the placement (simulate.py).
INSERT INTO cases (code, source, category_code, summary, reported_at, geom, raw_lon, raw_lat, raw_crs,
                   address_text, status, deadline)
VALUES (%(code)s, %(source)s, %(category_code)s, %(summary)s, now(),
        CASE WHEN %(lon)s::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) END,
        %(lon)s, %(lat)s, CASE WHEN %(lon)s::float8 IS NULL THEN NULL ELSE 'wgs84' END,
        %(address_text)s, 'accepted', case_deadline(%(category_code)s, now()))
RETURNING id
