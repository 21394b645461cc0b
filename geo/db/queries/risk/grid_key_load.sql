-- The key-population load of current basic grids at a few moments (the ends of the days
-- given): persons registered before each moment, weighted by their category's kind and their
-- care level (geo/risk/weights.toml). NULL grid_ids means every basic grid. Only grids with a
-- load are returned.
SELECT k.grid_id, m.moment, sum(kind.weight * care.weight) AS key_population
FROM sensitive.key_person_located k
JOIN grid_current g ON g.id = k.grid_id AND g.is_basic
JOIN sensitive.key_person_category c ON c.code = k.category_code
JOIN unnest(%(kinds)s::text[], %(kind_weights)s::float8[]) AS kind (kind, weight) ON kind.kind = c.kind
JOIN unnest(%(care_levels)s::text[], %(care_weights)s::float8[]) AS care (level, weight)
    ON care.level = k.care_level
JOIN (SELECT ord::int - 1 AS moment, day::timestamptz AS t
      FROM unnest(%(moment_days)s::date[]) WITH ORDINALITY AS m (day, ord)) m
    ON k.registered_on < m.t
WHERE k.active AND (%(grid_ids)s::int[] IS NULL OR k.grid_id = ANY (%(grid_ids)s::int[]))
  AND (%(grid_ids)s::int[] IS NULL OR g.id = ANY (%(grid_ids)s::int[]))  -- the grids by their key too
GROUP BY k.grid_id, m.moment
