-- The key-person categories with their names (category names are not personal data).
SELECT code, kind, name_zh, name_en FROM sensitive.key_person_category ORDER BY kind, code
