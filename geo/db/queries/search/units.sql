-- What the map's search box finds for %(text)s (at most %(limit)s of each kind), best first:
-- a unit or a case by its exact code, then areas and basic grids by a part of their name, then
-- buildings by a part of their standard address (building_address_trgm_idx serves the ILIKE).
-- The pattern parameter is the text with LIKE's wildcards escaped, between two wildcards;
-- the cases one says whether case numbers may be searched (a role that sees cases one by one);
-- the codes one holds the jurisdiction's areas and grids (NULL: the whole database), applied
-- before each kind's limit so that finds elsewhere do not crowd out the user's own.
(SELECT 0 AS rank, 'area' AS kind, code, name AS label FROM admin_area
 WHERE code = %(text)s AND (%(codes)s::text[] IS NULL OR code = ANY (%(codes)s)))
UNION ALL
(SELECT 0, 'grid', code, name FROM grid_current
 WHERE code = %(text)s AND is_basic AND (%(codes)s::text[] IS NULL OR code = ANY (%(codes)s)))
UNION ALL
(SELECT 0, 'micro_grid', code, code FROM micro_grid_current
 WHERE code = %(text)s AND (%(codes)s::text[] IS NULL OR grid_code = ANY (%(codes)s)))
UNION ALL
(SELECT 0, 'building', b.code, b.standard_address FROM building b
 JOIN micro_grid_current m ON m.code = b.micro_grid_code
 WHERE b.code = %(text)s AND (%(codes)s::text[] IS NULL OR m.grid_code = ANY (%(codes)s)))
UNION ALL
(SELECT 0, 'case', coalesce(b.code, g.code), c.code || ' · ' || coalesce(b.standard_address, g.name)
 FROM cases c JOIN case_assignment a ON a.case_id = c.id
 LEFT JOIN building b ON b.id = a.building_id LEFT JOIN grid_current g ON g.id = a.grid_id
 WHERE %(cases)s AND c.code = %(text)s AND coalesce(b.code, g.code) IS NOT NULL
   AND (%(codes)s::text[] IS NULL OR g.code = ANY (%(codes)s)) LIMIT 1)
UNION ALL
(SELECT 1, 'area', code, name FROM admin_area
 WHERE name ILIKE %(pattern)s AND (%(codes)s::text[] IS NULL OR code = ANY (%(codes)s))
 ORDER BY length(name), code LIMIT %(limit)s)
UNION ALL
(SELECT 2, 'grid', code, name FROM grid_current
 WHERE is_basic AND name ILIKE %(pattern)s AND (%(codes)s::text[] IS NULL OR code = ANY (%(codes)s))
 ORDER BY length(name), code LIMIT %(limit)s)
UNION ALL
(SELECT 3, 'building', b.code, b.standard_address FROM building b
 JOIN micro_grid_current m ON m.code = b.micro_grid_code
 WHERE b.standard_address ILIKE %(pattern)s AND (%(codes)s::text[] IS NULL OR m.grid_code = ANY (%(codes)s))
 ORDER BY length(b.standard_address), b.code LIMIT %(limit)s)
