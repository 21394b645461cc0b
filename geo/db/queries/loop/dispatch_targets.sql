-- Where the desk may dispatch case %(id)s: the current basic grids of its community inside the
-- jurisdiction (its own grid first), then the departments and mediation rooms.
-- kind, code, name_zh, name_en.
SELECT kind, code, name_zh, name_en FROM (
    SELECT 'grid' AS kind, g.code, g.name AS name_zh, g.name AS name_en, 0 AS kind_order,
           g.id <> coalesce(a.grid_id, a.nearest_grid_id) AS elsewhere
    FROM case_assignment a
    JOIN grid here ON here.id = coalesce(a.grid_id, a.nearest_grid_id)
    JOIN grid_current g ON g.community_id = here.community_id AND g.is_basic
    WHERE a.case_id = %(id)s AND (%(whole)s OR g.id = ANY (%(grid_ids)s))
    UNION ALL
    SELECT h.kind, h.code, h.name_zh, h.name_en, CASE h.kind WHEN 'department' THEN 1 ELSE 2 END, false
    FROM case_handler h
) targets
ORDER BY kind_order, elsewhere, code
