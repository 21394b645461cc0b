-- Cases per current basic grid in each of the last N weeks up to the end of the as-of day;
-- week 0 is the oldest, week N-1 the latest. Only grids and weeks with cases are returned;
-- NULL grid_ids means every basic grid.
SELECT a.grid_id,
       %(weeks)s - 1 - floor(date_part('epoch', (%(as_of)s::date + 1)::timestamptz - c.reported_at)
                             / (7 * 86400))::int AS week,
       count(*) AS cases
FROM cases c
JOIN case_assignment a ON a.case_id = c.id
JOIN grid_current g ON g.id = a.grid_id AND g.is_basic
WHERE a.status = 'assigned'
  AND (%(counties)s::text[] IS NULL OR a.county_code = ANY (%(counties)s::text[]))
  AND c.reported_at <= (%(as_of)s::date + 1)::timestamptz
  AND c.reported_at > (%(as_of)s::date + 1)::timestamptz - make_interval(days => 7 * %(weeks)s)
  AND (%(grid_ids)s::int[] IS NULL OR a.grid_id = ANY (%(grid_ids)s::int[]))
GROUP BY 1, 2
