-- Every grid and micro-grid code that was ever used, by any version, under the community's
-- code or under one of its grids' codes that does not start with it (a city numbering off
-- the code scheme, %(others)s): a new grid or micro-grid never takes one of them.
SELECT code FROM grid WHERE code LIKE %(prefix)s || '%%'
UNION
SELECT code FROM micro_grid WHERE code LIKE %(prefix)s || '%%'
UNION
SELECT g.code FROM unnest(%(others)s::text[]) p JOIN grid g ON left(g.code, length(p)) = p
UNION
SELECT m.code FROM unnest(%(others)s::text[]) p JOIN micro_grid m ON left(m.code, length(p)) = p
