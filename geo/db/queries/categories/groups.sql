-- Every group with its names and synonyms.
SELECT code, name_zh, name_en, synonyms FROM case_group ORDER BY code
