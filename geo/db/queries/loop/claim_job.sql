-- Claim a due job for this transaction: its advisory lock (another scheduler on the same
-- database skips it) and, under the lock, a second look that it is still due. Marks it started.
UPDATE scheduler_job SET last_started_at = now()
WHERE name = %(name)s
  AND pg_try_advisory_xact_lock(hashtext('safety_map.scheduler'), hashtext(%(name)s))
  AND (last_started_at IS NULL OR last_started_at <= now() - make_interval(secs => every_s))
RETURNING name
