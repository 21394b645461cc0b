UPDATE micro_grid SET valid_to = now() WHERE id = ANY (%(ids)s) AND valid_to IS NULL
