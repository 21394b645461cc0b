-- After the dry-run commit: what moved from which grid to which. No key persons: what a draft
-- moves of them is never read (geo/boundaries/impact.py says why).
WITH buildings AS (
    SELECT i.before_code, g.code AS after_code, b.id, b.households
    FROM impact_buildings i
    JOIN building_assignment a ON a.building_id = i.building_id
    JOIN building b ON b.id = i.building_id
    LEFT JOIN grid g ON g.id = a.grid_id
    WHERE g.code IS DISTINCT FROM i.before_code
),
cases AS (
    SELECT i.before_code, g.code AS after_code, count(*) AS cases
    FROM impact_cases i
    JOIN case_assignment a ON a.case_id = i.case_id
    LEFT JOIN grid g ON g.id = a.grid_id
    WHERE g.code IS DISTINCT FROM i.before_code
    GROUP BY 1, 2
),
by_building AS (
    SELECT before_code, after_code, count(*) AS buildings, sum(households) AS households,
           array_agg(id ORDER BY id) AS building_ids
    FROM buildings GROUP BY 1, 2
)
SELECT coalesce(b.before_code, c.before_code) AS from_code, coalesce(b.after_code, c.after_code) AS to_code,
       coalesce(b.buildings, 0) AS buildings, coalesce(b.households, 0) AS households,
       coalesce(c.cases, 0) AS cases_12m,
       coalesce(b.building_ids, '{}') AS building_ids
FROM by_building b
FULL JOIN cases c ON c.before_code = b.before_code AND c.after_code IS NOT DISTINCT FROM b.after_code
ORDER BY buildings DESC, cases_12m DESC
