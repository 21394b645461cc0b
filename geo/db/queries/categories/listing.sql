-- The catalogue as `python -m geo categories list` prints it: each group, then its categories
-- (the unclassified one last) with their stored cases.
SELECT k.group_code, g.name_zh AS group_zh, g.name_en AS group_en, k.code, k.name_zh, k.name_en,
       k.deadline_days, k.severity, k.synonyms, k.unclassified,
       (SELECT count(*) FROM cases c WHERE c.category_code = k.code) AS cases
FROM case_category k
JOIN case_group g ON g.code = k.group_code
ORDER BY k.group_code = 'unclassified', k.group_code, k.unclassified, k.code
