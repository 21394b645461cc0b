-- Upsert the checked rows (temp table import_cases) keyed on the source id (cases.code):
-- new ids are inserted, changed rows updated (and their placement dropped, so that the
-- geocoder places them again), identical rows left alone. Returns the counts inserted and
-- updated (not one row per case: a file of millions stays small in memory).
WITH written AS (
INSERT INTO cases AS c (code, source, category_code, summary, reported_at, geom, raw_lon, raw_lat,
                        raw_crs, address_text, status, deadline, closed_at, category_raw, source_raw)
SELECT code, source, category_code, summary, reported_at,
       CASE WHEN lon IS NOT NULL THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END,
       raw_lon, raw_lat, raw_crs, address_text, status, deadline, closed_at, category_raw, source_raw
FROM import_cases
ON CONFLICT (code) DO UPDATE
SET source = EXCLUDED.source, category_code = EXCLUDED.category_code, summary = EXCLUDED.summary,
    reported_at = EXCLUDED.reported_at, geom = EXCLUDED.geom, raw_lon = EXCLUDED.raw_lon,
    raw_lat = EXCLUDED.raw_lat, raw_crs = EXCLUDED.raw_crs, address_text = EXCLUDED.address_text,
    status = EXCLUDED.status, deadline = EXCLUDED.deadline, closed_at = EXCLUDED.closed_at,
    category_raw = EXCLUDED.category_raw, source_raw = EXCLUDED.source_raw
WHERE (c.source, c.category_code, c.summary, c.reported_at, c.raw_lon, c.raw_lat, c.raw_crs,
       c.address_text, c.status, c.deadline, c.closed_at, c.category_raw, c.source_raw)
      IS DISTINCT FROM
      (EXCLUDED.source, EXCLUDED.category_code, EXCLUDED.summary, EXCLUDED.reported_at,
       EXCLUDED.raw_lon, EXCLUDED.raw_lat, EXCLUDED.raw_crs, EXCLUDED.address_text, EXCLUDED.status,
       EXCLUDED.deadline, EXCLUDED.closed_at, EXCLUDED.category_raw, EXCLUDED.source_raw)
RETURNING c.id, (xmax = 0) AS inserted
), forgotten AS (
    DELETE FROM case_assignment WHERE case_id IN (SELECT id FROM written WHERE NOT inserted)
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written
