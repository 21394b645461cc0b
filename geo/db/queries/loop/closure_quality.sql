-- How well cases were closed: the cases closed in [start, end) in grids %(grid_ids)s (NULL:
-- every grid), merged duplicates left out; for all of them and per handler (a department or
-- mediation room; a grid's own cases under 'grid'); a case placed outside every grid counts in
-- its nearest grid, as on the desk. A repeat is a later report of the same category at the same
-- building within 90 days after the close; a case followed by one was "closed but not solved".
-- Times in days. The repeats are counted per closed case through the placements' index by
-- grid and report time (a grid's 90 days of reports), not by a join of every placement.
WITH closed AS (
    SELECT c.id, c.reported_at, c.closed_at, c.deadline, c.reopened, c.called_back_at, c.satisfied,
           c.category_code, coalesce(a.grid_id, a.nearest_grid_id) AS grid_id, a.building_id,
           CASE WHEN c.assignee_kind IN ('department', 'mediation') THEN c.assignee ELSE 'grid' END AS handler
    FROM cases c
    JOIN case_assignment a ON a.case_id = c.id
    WHERE c.status = 'closed' AND c.merged_into IS NULL
      AND c.closed_at >= %(start)s AND c.closed_at < %(end)s
      AND (%(grid_ids)s::integer[] IS NULL OR coalesce(a.grid_id, a.nearest_grid_id) = ANY (%(grid_ids)s))
)
SELECT CASE WHEN GROUPING(k.handler) = 1 THEN NULL ELSE k.handler END AS handler,
       count(*) AS closed,
       count(*) FILTER (WHERE k.closed_at <= k.deadline) AS on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM k.closed_at - k.reported_at)) / 86400 AS median_days,
       count(*) FILTER (WHERE k.reopened > 0) AS reopened,
       count(*) FILTER (WHERE k.called_back_at IS NOT NULL) AS called_back,
       count(*) FILTER (WHERE k.satisfied) AS satisfied,
       coalesce(sum(r.later), 0)::bigint AS repeat_reports,
       count(*) FILTER (WHERE r.later > 0) AS not_solved
FROM closed k
LEFT JOIN LATERAL (
    SELECT count(*) AS later
    FROM case_assignment ra
    JOIN cases rc ON rc.id = ra.case_id AND rc.category_code = k.category_code
    WHERE k.building_id IS NOT NULL AND ra.grid_id = k.grid_id AND ra.building_id = k.building_id
      AND ra.reported_at > k.closed_at AND ra.reported_at <= k.closed_at + interval '90 days' AND ra.case_id <> k.id
) r ON true
GROUP BY GROUPING SETS ((), (k.handler))
ORDER BY GROUPING(k.handler) DESC, count(*) DESC
