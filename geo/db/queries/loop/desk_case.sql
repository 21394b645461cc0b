-- One case for the desk or the phone page, inside the jurisdiction (placed in one of its grids,
-- or dispatched to one of them): its fields, names, where it is (the placement's point, else the
-- reported one), its grid and building, its clocks.
SELECT c.id, c.code, c.version, c.reported_at, c.source, c.category_code, k.name_zh AS category_zh,
       k.name_en AS category_en, k.group_code, c.summary, c.address_text, c.status, s.name_zh AS status_zh,
       s.name_en AS status_en, c.deadline, c.closed_at, c.escalation_level, l.name_zh AS level_zh,
       l.name_en AS level_en, c.assignee_kind, c.assignee,
       coalesce(h.name_zh, ag.name, c.assignee) AS assignee_zh, coalesce(h.name_en, ag.name, c.assignee) AS assignee_en,
       c.partners, c.mediation_outcome, c.merged_into,
       (SELECT m.code FROM cases m WHERE m.id = c.merged_into) AS merged_into_code,
       c.reopened, c.called_back_at, c.satisfied,
       ST_X(coalesce(a.point, c.geom)) AS lon, ST_Y(coalesce(a.point, c.geom)) AS lat,
       g.code AS grid_code, g.name AS grid_name, a.building_id, b.standard_address AS building_address,
       clock.deadline_left_s, clock.deadline_span_s, clock.state_left_s
FROM cases c
JOIN case_clock clock ON clock.case_id = c.id
LEFT JOIN case_assignment a ON a.case_id = c.id
LEFT JOIN grid g ON g.id = coalesce(a.grid_id, a.nearest_grid_id)
LEFT JOIN building b ON b.id = a.building_id
LEFT JOIN case_handler h ON h.code = c.assignee AND c.assignee_kind <> 'grid'
LEFT JOIN grid_current ag ON ag.code = c.assignee AND c.assignee_kind = 'grid'
JOIN case_category k ON k.code = c.category_code
JOIN case_status s ON s.code = c.status
JOIN case_escalation_level l ON l.code = c.escalation_level
WHERE c.code = %(code)s
  AND (%(whole)s OR coalesce(a.grid_id, a.nearest_grid_id) = ANY (%(grid_ids)s)
       OR (c.assignee_kind = 'grid' AND c.assignee = ANY (%(codes)s)))
