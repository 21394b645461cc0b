-- Move a case along the loop (migration 0033, case_move): refused with SQLSTATE SMC01-04.
SELECT new_version, new_status, event_id
FROM case_move(%(case_id)s, %(action)s, %(version)s, %(note)s, %(detail)s, %(actor)s)
