-- Every group without an unclassified category gets one (<group>_unclassified, 'unclassified'
-- for the group 'unclassified'), where a case goes whose category its group does not know.
INSERT INTO case_category (code, group_code, name_zh, name_en, deadline_days)
SELECT CASE WHEN g.code = 'unclassified' THEN g.code ELSE g.code || '_unclassified' END, g.code,
       g.name_zh || '（未分类）', g.name_en || ' (unclassified)', 10
FROM case_group g
WHERE NOT EXISTS (SELECT 1 FROM case_category k WHERE k.group_code = g.code AND k.unclassified)
ON CONFLICT (code) DO NOTHING
RETURNING code, true AS inserted
