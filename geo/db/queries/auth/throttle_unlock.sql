-- `python -m geo users unlock`: the counters of a username (its pairs and its account) or of
-- an address (its pairs and the address) start again; known addresses stay known.
-- An empty %(username)s or %(address)s matches nothing.
UPDATE auth.login_throttle SET failures = 0, blocked_until = NULL
WHERE (username = %(username)s AND %(username)s <> '') OR (address = %(address)s AND %(address)s <> '')
