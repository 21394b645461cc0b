SELECT code, base_id, name, level, is_basic, kind, exclusive_type, parent_code, households,
       lower(target_households) AS target_low, upper(target_households) AS target_high,
       ST_AsBinary(geom) AS wkb
FROM boundary_draft_grid WHERE draft_id = %(draft_id)s
ORDER BY code
