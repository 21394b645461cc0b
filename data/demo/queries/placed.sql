-- Where the geocoder put a simulated case: its grid code (NULL when not in a grid) and status.
SELECT g.code, a.status
FROM cases c
LEFT JOIN case_assignment a ON a.case_id = c.id
LEFT JOIN grid g ON g.id = a.grid_id
WHERE c.code = %(code)s
