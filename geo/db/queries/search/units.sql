-- What the map's search box finds for %(text)s (at most %(limit)s of each kind), best first:
-- a unit or a case by its exact code, then areas and basic grids by a part of their name, then
-- buildings by a part of their standard address (building_address_trgm_idx serves the ILIKE).
-- The pattern parameter is the text with LIKE's wildcards escaped, between two wildcards;
-- the cases one says whether case numbers may be searched (a role that sees cases one by one).
(SELECT 0 AS rank, 'area' AS kind, code, name AS label FROM admin_area WHERE code = %(text)s)
UNION ALL
(SELECT 0, 'grid', code, name FROM grid_current WHERE code = %(text)s AND is_basic)
UNION ALL
(SELECT 0, 'micro_grid', code, code FROM micro_grid_current WHERE code = %(text)s)
UNION ALL
(SELECT 0, 'building', code, standard_address FROM building WHERE code = %(text)s)
UNION ALL
(SELECT 0, 'case', coalesce(b.code, g.code), c.code || ' · ' || coalesce(b.standard_address, g.name)
 FROM cases c JOIN case_assignment a ON a.case_id = c.id
 LEFT JOIN building b ON b.id = a.building_id LEFT JOIN grid_current g ON g.id = a.grid_id
 WHERE %(cases)s AND c.code = %(text)s AND coalesce(b.code, g.code) IS NOT NULL LIMIT 1)
UNION ALL
(SELECT 1, 'area', code, name FROM admin_area WHERE name ILIKE %(pattern)s ORDER BY length(name), code LIMIT %(limit)s)
UNION ALL
(SELECT 2, 'grid', code, name FROM grid_current WHERE is_basic AND name ILIKE %(pattern)s
 ORDER BY length(name), code LIMIT %(limit)s)
UNION ALL
(SELECT 3, 'building', code, standard_address FROM building WHERE standard_address ILIKE %(pattern)s
 ORDER BY length(standard_address), code LIMIT %(limit)s)
