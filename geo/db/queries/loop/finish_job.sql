-- Note how a job's run ended: its result, or its error (then the result stays the last good one,
-- and the failed run counts as started, so that a broken job is tried again every_s later).
UPDATE scheduler_job
SET last_finished_at = now(),
    last_started_at = CASE WHEN %(error)s::text IS NULL THEN last_started_at ELSE now() END,
    last_result = coalesce(%(result)s, last_result),
    last_error = %(error)s::text
WHERE name = %(name)s
