-- A case's moves, oldest first, with the action's names (receive and import have none) and
-- the ids of their photos.
SELECT e.id, e.at, e.actor, e.action, e.from_status, e.to_status, e.version, e.note, e.detail,
       coalesce(t.name_zh, CASE e.action WHEN 'receive' THEN '受理' WHEN 'import' THEN '导入' ELSE e.action END) AS name_zh,
       coalesce(t.name_en, initcap(replace(e.action, '_', ' '))) AS name_en,
       ARRAY(SELECT a.id FROM case_attachment a WHERE a.event_id = e.id ORDER BY a.id) AS photos
FROM case_event e
LEFT JOIN case_transition t ON t.action = e.action AND t.from_status = e.from_status
WHERE e.case_id = %(case_id)s
ORDER BY e.id
