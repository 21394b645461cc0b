-- Raw risk components of current basic grids at a few moments: the end of the as-of day and
-- some days before it (for trends). Weights come in as arrays from geo/risk/weights.toml.
-- A case counts in the grid where the geocoder placed it; decay halves its weight every
-- half_life days. NULL grid_ids means every basic grid; counties, when given, are those of
-- the grids (a county's partition: its placements are found by their county, migration 0025).
WITH moment AS (
    SELECT m.ord::int - 1 AS moment, (%(as_of)s::date + 1 - m.days_back)::timestamptz AS t
    FROM unnest(%(days_back)s::int[]) WITH ORDINALITY AS m (days_back, ord)
),
span AS (
    SELECT min(t) AS first_t, max(t) AS last_t FROM moment
),
grids AS (
    SELECT id, code, households FROM grid_current
    WHERE is_basic AND (%(grid_ids)s::int[] IS NULL OR id = ANY (%(grid_ids)s::int[]))
),
severity AS (
    SELECT * FROM unnest(%(categories)s::text[], %(severities)s::float8[]) AS s (category_code, weight)
),
escalation AS (
    SELECT * FROM unnest(%(escalation_levels)s::text[], %(escalation_weights)s::float8[]) AS e (level, weight)
),
-- Cases that can count at some moment: reported inside the window, or still open then. Joined
-- once, then paired with each moment (inlined, the join was made again for every moment).
placed AS MATERIALIZED (
    SELECT a.grid_id, a.building_id, c.category_code, c.reported_at, c.closed_at, c.deadline,
           coalesce(s.weight, %(default_severity)s) AS severity, coalesce(e.weight, 0) AS escalation
    FROM cases c
    JOIN case_assignment a ON a.case_id = c.id
    JOIN grids g ON g.id = a.grid_id
    CROSS JOIN span
    LEFT JOIN severity s ON s.category_code = c.category_code
    LEFT JOIN escalation e ON e.level = c.escalation_level
    WHERE a.status = 'assigned'
      AND (%(counties)s::text[] IS NULL OR a.county_code = ANY (%(counties)s::text[]))
      AND c.reported_at <= span.last_t
      AND (c.reported_at > span.first_t - make_interval(days => %(window_days)s)
           OR c.closed_at IS NULL OR c.closed_at > span.first_t)
),
aged AS (
    SELECT p.*, m.moment, m.t,
           date_part('epoch', m.t - p.reported_at) / 86400.0 AS age_days,  -- float8 (extract: numeric, slow)
           p.closed_at IS NULL OR p.closed_at > m.t AS is_open
    FROM placed p JOIN moment m ON p.reported_at <= m.t
),
flows AS (
    SELECT grid_id, moment,
           sum(severity * exp(-ln(2) * age_days / %(half_life_days)s))
               FILTER (WHERE age_days < %(window_days)s) AS case_intensity,
           sum(escalation * exp(-ln(2) * age_days / %(half_life_days)s))
               FILTER (WHERE age_days < %(window_days)s) AS escalation,
           count(*) FILTER (WHERE is_open) AS open,
           count(*) FILTER (WHERE is_open AND deadline < t) AS overdue,
           count(building_id) FILTER (WHERE age_days < %(repeat_window_days)s)
               - count(DISTINCT building_id) FILTER (WHERE age_days < %(repeat_window_days)s) AS repeat,
           count(*) FILTER (WHERE age_days < 30) AS cases_30d,
           count(*) FILTER (WHERE age_days < 30 AND escalation > 0) AS escalated_30d
    FROM aged GROUP BY grid_id, moment
),
key_load AS (
    SELECT k.grid_id, m.moment, sum(kind.weight * care.weight) AS key_population
    FROM sensitive.key_person_located k
    JOIN grids g ON g.id = k.grid_id
    JOIN sensitive.key_person_category c ON c.code = k.category_code
    JOIN unnest(%(kinds)s::text[], %(kind_weights)s::float8[]) AS kind (kind, weight) ON kind.kind = c.kind
    JOIN unnest(%(care_levels)s::text[], %(care_weights)s::float8[]) AS care (level, weight)
        ON care.level = k.care_level
    JOIN moment m ON k.registered_on < m.t
    WHERE k.active
    GROUP BY k.grid_id, m.moment
)
SELECT g.id AS grid_id, g.code, g.households, m.moment,
       coalesce(f.case_intensity, 0) AS case_intensity,
       coalesce(f.overdue, 0) AS overdue,
       coalesce(f.open, 0) AS open,
       coalesce(f.repeat, 0) AS repeat,
       coalesce(f.escalation, 0) AS escalation,
       coalesce(k.key_population, 0) AS key_population,
       coalesce(f.cases_30d, 0) AS cases_30d,
       coalesce(f.escalated_30d, 0) AS escalated_30d
FROM grids g
CROSS JOIN moment m
LEFT JOIN flows f ON f.grid_id = g.id AND f.moment = m.moment
LEFT JOIN key_load k ON k.grid_id = g.id AND k.moment = m.moment
ORDER BY m.moment, g.code
