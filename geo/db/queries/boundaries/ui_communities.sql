-- The communities the boundary editor can open (those with current grids), with their township's name.
SELECT a.code, a.name, t.name AS township
FROM admin_area a
LEFT JOIN admin_area t ON t.id = a.parent_id
WHERE a.level = 4
  AND EXISTS (SELECT 1 FROM grid_current g WHERE g.community_id = a.id)
ORDER BY a.code
