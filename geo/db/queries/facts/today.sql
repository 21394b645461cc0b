-- The facts' today (in their zone, migration 0021) and its bounds: an open case whose deadline
-- falls today is overdue or not depending on the hour, so those are counted one by one.
SELECT d AS today, (d::timestamp AT TIME ZONE case_fact_zone()) AS day_start,
       ((d + 1)::timestamp AT TIME ZONE case_fact_zone()) AS day_stop
FROM (SELECT case_fact_day(now()) AS d) t
