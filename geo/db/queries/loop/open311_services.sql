-- The Open311 services: the catalogue's categories (the unclassified ones are for imports only).
SELECT k.code AS service_code, k.name_zh AS service_name, k.name_en, k.synonyms, g.name_zh AS group_name,
       k.deadline_days, k.urgent_level IS NOT NULL AS urgent
FROM case_category k JOIN case_group g ON g.code = k.group_code
WHERE NOT k.unclassified
ORDER BY k.group_code, k.code
