-- The case categories with their names, for filters and legends.
SELECT code, group_code, name_zh, name_en FROM case_category ORDER BY group_code, code
