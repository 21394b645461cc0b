-- The dispatch desk's queue: the cases of one view ({view}: a condition on c) inside the
-- jurisdiction (%(whole)s, or the case's grid among %(grid_ids)s), most pressing first:
-- overdue longest, then nearest to their deadline. Remaining times in seconds (negative: over).
SELECT c.id, c.code, c.reported_at, c.category_code, k.name_zh AS category_zh, k.name_en AS category_en,
       c.source, c.status, s.name_zh AS status_zh, s.name_en AS status_en, c.summary,
       c.escalation_level, l.name_zh AS level_zh, l.name_en AS level_en, c.assignee_kind, c.assignee,
       clock.deadline_left_s, clock.deadline_span_s, clock.state_left_s
FROM cases c
JOIN case_clock clock ON clock.case_id = c.id
LEFT JOIN case_assignment a ON a.case_id = c.id
JOIN case_category k ON k.code = c.category_code
JOIN case_status s ON s.code = c.status
JOIN case_escalation_level l ON l.code = c.escalation_level
WHERE ({view})
  AND (%(whole)s OR coalesce(a.grid_id, a.nearest_grid_id) = ANY (%(grid_ids)s))
  AND (%(group)s::text IS NULL OR k.group_code = %(group)s)
  AND (%(search)s::text IS NULL OR c.code ILIKE %(search)s OR c.summary ILIKE %(search)s OR c.address_text ILIKE %(search)s)
ORDER BY c.status = 'closed', c.deadline, c.id
LIMIT %(limit)s
