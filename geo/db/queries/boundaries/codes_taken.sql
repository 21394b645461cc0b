-- Which of %(codes)s a grid or micro-grid of any community, in any version, already holds:
-- codes off the city's scheme carry no community prefix, so the draft's own list of used
-- codes (used_codes.sql) cannot tell.
SELECT code FROM grid WHERE code = ANY(%(codes)s)
UNION
SELECT code FROM micro_grid WHERE code = ANY(%(codes)s)
ORDER BY code
