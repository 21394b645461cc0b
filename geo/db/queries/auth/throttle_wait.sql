-- Seconds until a sign-in of %(username)s from %(address)s may be checked (0: at once): the
-- latest end of a block of its pair, of its address and of its account. An address the user
-- signed in from within %(known_s)s seconds is spared the account's block, so that guesses
-- from elsewhere cannot keep the user out where it works.
SELECT coalesce(ceil(extract(epoch FROM max(t.blocked_until) - now())), 0)::integer
FROM auth.login_throttle t
WHERE t.blocked_until > now()
  AND ((t.kind = 'pair' AND t.username = %(username)s AND t.address = %(address)s)
    OR (t.kind = 'address' AND t.username = '' AND t.address = %(address)s)
    OR (t.kind = 'account' AND t.username = %(username)s AND t.address = '' AND NOT EXISTS (
            SELECT FROM auth.login_throttle k
            WHERE k.kind = 'pair' AND k.username = %(username)s AND k.address = %(address)s
              AND k.signed_in_at > now() - make_interval(secs => %(known_s)s))))
