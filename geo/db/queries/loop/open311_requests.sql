-- Open311 service requests: those of source %(source)s (NULL: none) or with the given ids
-- (%(ids)s, NULL: any), of the given service codes, requested in [start, end), open or closed
-- (ids given override the dates and the status, as GeoReport v2 says); with their status, the
-- agency handling them and the time of their last move. At most 1,000.
SELECT c.intake_ref AS service_request_id, c.category_code AS service_code, k.name_zh AS service_name,
       CASE WHEN c.status = 'closed' THEN 'closed' ELSE 'open' END AS status, s.name_zh AS status_notes,
       coalesce(h.name_zh, g.name, '') AS agency_responsible, c.summary AS description, c.address_text AS address,
       ST_Y(coalesce(a.point, c.geom)) AS lat, ST_X(coalesce(a.point, c.geom)) AS long,
       c.reported_at AS requested_datetime, c.deadline AS expected_datetime,
       coalesce((SELECT max(e.at) FROM case_event e WHERE e.case_id = c.id), c.reported_at) AS updated_datetime,
       c.intake_source = %(source)s AS own
FROM cases c
JOIN case_category k ON k.code = c.category_code
JOIN case_status s ON s.code = c.status
LEFT JOIN case_assignment a ON a.case_id = c.id
LEFT JOIN case_handler h ON h.code = c.assignee AND c.assignee_kind <> 'grid'
LEFT JOIN grid_current g ON g.code = c.assignee AND c.assignee_kind = 'grid'
WHERE c.intake_ref IS NOT NULL
  AND (c.intake_source = %(source)s OR c.intake_ref = ANY (%(ids)s))
  AND (%(ids)s::text[] IS NULL OR c.intake_ref = ANY (%(ids)s))
  AND (%(codes)s::text[] IS NULL OR c.category_code = ANY (%(codes)s))
  AND (%(ids)s::text[] IS NOT NULL OR (c.reported_at >= %(start)s AND c.reported_at < %(end)s))
  AND (%(ids)s::text[] IS NOT NULL OR %(status)s::text IS NULL OR (c.status = 'closed') = (%(status)s = 'closed'))
ORDER BY c.reported_at DESC
LIMIT 1000
