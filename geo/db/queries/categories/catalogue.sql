-- Every category with its group, names, synonyms and deadline, for the importer's lookups.
SELECT k.code, k.group_code, k.name_zh, k.name_en, k.synonyms, k.deadline_days, k.unclassified
FROM case_category k
ORDER BY k.code
