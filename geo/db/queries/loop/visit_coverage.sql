-- The rounds' coverage of grids %(grid_ids)s (NULL: every grid): buildings visited this month
-- of all, key places visited this week (ISO, Monday first) of all, in the zone's calendar.
WITH bounds AS (
    SELECT date_trunc('month', now() AT TIME ZONE case_fact_zone()) AT TIME ZONE case_fact_zone() AS month_start,
           date_trunc('week', now() AT TIME ZONE case_fact_zone()) AT TIME ZONE case_fact_zone() AS week_start
)
SELECT
    (SELECT count(*) FROM building_assignment a WHERE a.grid_id = ANY (coalesce(%(grid_ids)s, ARRAY(SELECT id FROM grid_current WHERE is_basic)))) AS buildings,
    (SELECT count(DISTINCT v.building_id) FROM grid_visit v, bounds
     WHERE v.grid_id = ANY (coalesce(%(grid_ids)s, ARRAY(SELECT id FROM grid_current WHERE is_basic))) AND v.building_id IS NOT NULL AND v.visited_at >= bounds.month_start) AS buildings_visited,
    (SELECT count(*) FROM key_place k JOIN grid_current g ON g.is_basic AND ST_Contains(g.geom, k.geom)
     WHERE g.id = ANY (coalesce(%(grid_ids)s, ARRAY(SELECT id FROM grid_current WHERE is_basic)))) AS places,
    (SELECT count(DISTINCT v.key_place_id) FROM grid_visit v, bounds
     WHERE v.grid_id = ANY (coalesce(%(grid_ids)s, ARRAY(SELECT id FROM grid_current WHERE is_basic))) AND v.key_place_id IS NOT NULL AND v.visited_at >= bounds.week_start) AS places_visited
