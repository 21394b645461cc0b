UPDATE micro_grid SET valid_to = %(at)s WHERE id = ANY (%(ids)s) AND valid_to IS NULL
