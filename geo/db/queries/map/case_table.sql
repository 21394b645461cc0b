-- The unit's cases as a table (grid level and below), newest first, at most %(limit)s.
SELECT c.code, c.reported_at, c.category_code AS category, c.source,
       CASE WHEN c.status = 'closed' THEN 'closed' WHEN c.deadline < now() THEN 'overdue' ELSE 'open' END AS state,
       c.status, c.summary, c.address_text AS address, c.deadline
FROM ({scope}) s
JOIN cases c ON c.id = s.case_id
WHERE s.reported_at >= %(start)s AND s.reported_at < %(end)s AND {case_filter}
ORDER BY s.reported_at DESC
LIMIT %(limit)s
