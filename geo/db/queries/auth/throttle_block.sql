-- A counter refuses further attempts for %(wait_s)s seconds from now.
UPDATE auth.login_throttle SET blocked_until = now() + make_interval(secs => %(wait_s)s)
WHERE kind = %(kind)s AND username = %(username)s AND address = %(address)s
