-- The scheduler's jobs whose time has come: never run, or started every_s seconds ago or more.
SELECT name FROM scheduler_job
WHERE last_started_at IS NULL OR last_started_at <= now() - make_interval(secs => every_s)
ORDER BY name
