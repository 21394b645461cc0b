-- One simulated case, reported now and accepted (受理), due after its category's days.
INSERT INTO cases (code, source, category_code, summary, reported_at, geom, raw_lon, raw_lat, raw_crs,
                   address_text, status, deadline)
VALUES (%(code)s, %(source)s, %(category_code)s, %(summary)s, now(),
        CASE WHEN %(lon)s::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) END,
        %(lon)s, %(lat)s, CASE WHEN %(lon)s::float8 IS NULL THEN NULL ELSE 'wgs84' END,
        %(address_text)s, 'accepted', now() + make_interval(days => %(deadline_days)s))
RETURNING id
