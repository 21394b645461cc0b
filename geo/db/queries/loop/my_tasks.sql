-- A grid worker's tasks: the open cases dispatched to a grid of theirs (%(codes)s), waiting to
-- be taken or in hand, nearest deadline first.
SELECT c.code, c.status, s.name_zh AS status_zh, s.name_en AS status_en, k.name_zh AS category_zh,
       k.name_en AS category_en, c.summary, c.address_text, c.deadline,
       clock.deadline_left_s, clock.deadline_span_s, clock.state_left_s
FROM cases c
JOIN case_clock clock ON clock.case_id = c.id
JOIN case_status s ON s.code = c.status
JOIN case_category k ON k.code = c.category_code
WHERE c.assignee_kind = 'grid' AND c.assignee = ANY (%(codes)s) AND c.status IN ('dispatched', 'in_progress')
ORDER BY c.deadline, c.id
LIMIT 100
