-- Every grid and micro-grid code starting with the community's code that was ever used, by
-- any version: a new grid or micro-grid never takes one of them.
SELECT code FROM grid WHERE code LIKE %(prefix)s || '%%'
UNION
SELECT code FROM micro_grid WHERE code LIKE %(prefix)s || '%%'
