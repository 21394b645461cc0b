-- A successful sign-in of %(username)s from %(address)s: the pair starts again and the address
-- is known to the account (spared the account's block). The address's and the account's
-- counters stay: a valid sign-in between guesses must not buy more guesses.
INSERT INTO auth.login_throttle AS t (kind, username, address, signed_in_at)
VALUES ('pair', %(username)s, %(address)s, now())
ON CONFLICT (kind, username, address) DO UPDATE SET failures = 0, blocked_until = NULL, signed_in_at = now()
