-- Counters without a failure for %(forget_s)s seconds (long forgiven by then), and addresses
-- not signed in from for %(known_s)s seconds, are deleted: guessed usernames do not pile up.
DELETE FROM auth.login_throttle
WHERE (last_failure_at IS NULL OR last_failure_at < now() - make_interval(secs => %(forget_s)s))
  AND (signed_in_at IS NULL OR signed_in_at < now() - make_interval(secs => %(known_s)s))
