-- After the dry-run commit: what moved from which grid to which. Key persons as counts only,
-- and NULL below k (small_count_k): a small count never leaves the database.
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
persons AS (
    SELECT b.before_code, b.after_code, count(*) AS key_persons
    FROM buildings b JOIN sensitive.key_person k ON k.building_id = b.id AND k.active
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
       CASE WHEN coalesce(p.key_persons, 0) >= %(k)s THEN p.key_persons END AS key_persons,
       coalesce(b.building_ids, '{}') AS building_ids
FROM by_building b
FULL JOIN cases c ON c.before_code = b.before_code AND c.after_code IS NOT DISTINCT FROM b.after_code
LEFT JOIN persons p ON p.before_code = coalesce(b.before_code, c.before_code)
                   AND p.after_code IS NOT DISTINCT FROM coalesce(b.after_code, c.after_code)
ORDER BY buildings DESC, cases_12m DESC
