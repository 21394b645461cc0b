-- The stored rows a draft starts from (%(ids)s: its base grid rows).
SELECT code, id AS base_id, name, level, is_basic, kind, exclusive_type, parent_code, households,
       lower(target_households) AS target_low, upper(target_households) AS target_high,
       ST_AsBinary(geom) AS wkb
FROM grid WHERE id = ANY (%(ids)s)
ORDER BY code
