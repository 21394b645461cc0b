-- The texts of cases still in an unclassified category, with their group and count: what a
-- city has left to map (`python -m geo categories map RAW CODE`).
SELECT coalesce(c.category_raw, '') AS raw, c.category_code, count(*) AS cases
FROM cases c
JOIN case_category k ON k.code = c.category_code
WHERE k.unclassified
GROUP BY 1, 2
ORDER BY 3 DESC, 1, 2
