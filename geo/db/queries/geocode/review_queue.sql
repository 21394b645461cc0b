-- The oldest cases waiting for a person, with their candidates.
SELECT a.case_id, c.code, c.address_text, a.address_key, a.candidates
FROM case_assignment a JOIN cases c ON c.id = a.case_id
WHERE a.status = 'review'
ORDER BY a.case_id
LIMIT %s
