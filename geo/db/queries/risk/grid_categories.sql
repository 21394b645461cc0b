-- Cases per category of each current basic grid in the 30 days up to the end of the as-of
-- day: the "which categories" of a grid's explanation.
SELECT a.grid_id, c.category_code, count(*) AS cases
FROM cases c
JOIN case_assignment a ON a.case_id = c.id
JOIN grid_current g ON g.id = a.grid_id AND g.is_basic
WHERE a.status = 'assigned'
  AND (%(counties)s::text[] IS NULL OR a.county_code = ANY (%(counties)s::text[]))
  AND c.reported_at <= (%(as_of)s::date + 1)::timestamptz
  AND c.reported_at > (%(as_of)s::date + 1)::timestamptz - interval '30 days'
  AND (%(grid_ids)s::int[] IS NULL OR a.grid_id = ANY (%(grid_ids)s::int[]))
GROUP BY a.grid_id, c.category_code
