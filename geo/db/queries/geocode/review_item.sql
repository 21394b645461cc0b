SELECT a.address_key, c.address_text
FROM case_assignment a JOIN cases c ON c.id = a.case_id
WHERE a.case_id = %s AND a.status = 'review'
