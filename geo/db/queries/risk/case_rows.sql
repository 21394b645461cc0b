-- The placed cases of current basic grids that can count at some moment of a risk run (the
-- counting is done in memory: geo/risk/case_flows.py): reported by the end of the last
-- moment, and reported inside the window before the first moment or still open then. Times
-- as epoch seconds (float8); severity and escalation as their weights (geo/risk/weights.toml).
-- NULL grid_ids means every basic grid; counties, when given, are those of the grids (a
-- county's partition: its placements are found by their county, migration 0025).
SELECT a.grid_id, a.building_id,
       coalesce(s.weight, %(default_severity)s) AS severity,
       coalesce(e.weight, 0) AS escalation,
       date_part('epoch', c.reported_at) AS reported,
       date_part('epoch', c.closed_at) AS closed,
       date_part('epoch', c.deadline) AS deadline
FROM cases c
JOIN case_assignment a ON a.case_id = c.id
JOIN grid_current g ON g.id = a.grid_id AND g.is_basic
LEFT JOIN unnest(%(categories)s::text[], %(severities)s::float8[]) AS s (category_code, weight)
    ON s.category_code = c.category_code
LEFT JOIN unnest(%(escalation_levels)s::text[], %(escalation_weights)s::float8[]) AS e (level, weight)
    ON e.level = c.escalation_level
WHERE a.status = 'assigned'
  AND (%(grid_ids)s::int[] IS NULL OR a.grid_id = ANY (%(grid_ids)s::int[]))
  AND (%(grid_ids)s::int[] IS NULL OR g.id = ANY (%(grid_ids)s::int[]))  -- the grids by their key too
  AND (%(counties)s::text[] IS NULL OR a.county_code = ANY (%(counties)s::text[]))
  AND c.reported_at <= %(last_t)s::date::timestamptz
  AND (c.reported_at > %(first_t)s::date::timestamptz - make_interval(days => %(window_days)s)
       OR c.closed_at IS NULL OR c.closed_at > %(first_t)s::date::timestamptz)
