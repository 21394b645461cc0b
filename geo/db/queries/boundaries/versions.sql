-- The boundary versions that changed a community, newest first (who, when, why).
SELECT v.id, v.created_at, v.author, v.note,
       (SELECT count(*) FROM boundary_change c WHERE c.version_id = v.id) AS changes
FROM boundary_version v
WHERE v.community_id = %(community_id)s
   OR v.id IN (SELECT DISTINCT version_id FROM grid WHERE community_id = %(community_id)s)
ORDER BY v.id DESC
