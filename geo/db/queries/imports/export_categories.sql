-- The catalogue in the import's field names, one row per group (no parent) and per category,
-- each group followed by its categories; numbers and synonyms as text (synonyms joined by ；).
SELECT code, parent, name_zh, name_en, deadline_days, severity, synonyms, clock, urgent_level
FROM (
    SELECT g.code, '' AS parent, g.name_zh, g.name_en, '' AS deadline_days, '' AS severity,
           array_to_string(g.synonyms, '；') AS synonyms, '' AS clock, '' AS urgent_level, g.code AS group_code,
           0 AS kind
    FROM case_group g
    UNION ALL
    SELECT k.code, k.group_code, k.name_zh, k.name_en, k.deadline_days::text, coalesce(k.severity::text, ''),
           array_to_string(k.synonyms, '；'), k.clock, coalesce(k.urgent_level, ''), k.group_code,
           CASE WHEN k.unclassified THEN 2 ELSE 1 END
    FROM case_category k
) entries
ORDER BY group_code = 'unclassified', group_code, kind, code
