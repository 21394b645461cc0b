-- The case categories with their names, for filters and legends: group by group, each
-- group's unclassified category after its others, the global unclassified one last.
SELECT code, group_code, name_zh, name_en FROM case_category
ORDER BY group_code = 'unclassified', group_code, unclassified, code
