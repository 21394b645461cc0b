-- The severity the catalogue gives a category (weights.toml's [severity] overrides it).
SELECT code, severity FROM case_category WHERE severity IS NOT NULL
