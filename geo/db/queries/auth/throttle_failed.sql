-- One more failed sign-in on one counter (kind 'pair', 'address' or 'account'). A counter
-- forgives one failure per %(decay_s)s seconds without one, so that a shared address's
-- occasional typos never add up to a block. Returns the counter's failures.
INSERT INTO auth.login_throttle AS t (kind, username, address, failures, last_failure_at)
VALUES (%(kind)s, %(username)s, %(address)s, 1, now())
ON CONFLICT (kind, username, address) DO UPDATE SET
    failures = 1 + greatest(0, t.failures - floor(
        extract(epoch FROM now() - coalesce(t.last_failure_at, now())) / %(decay_s)s)::integer),
    last_failure_at = now()
RETURNING failures
