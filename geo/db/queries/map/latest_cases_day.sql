-- The day of the newest case: the default date range ends there, so that a city loaded
-- some days ago does not open on an empty map.
SELECT max(reported_at)::date FROM cases
