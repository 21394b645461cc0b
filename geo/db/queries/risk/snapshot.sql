-- Stored risk rows of a day: those of some counties (grids, communities, townships), some
-- units by code, every county and the city; with the current id of each grid (NULL when it is
-- gone or no longer basic) and the key-population part kept in the sensitive schema.
SELECT s.*, s.county_code AS county, g.id AS grid_id,
       k.raw AS key_population_raw, k.alpha AS key_population_alpha, k.beta AS key_population_beta,
       k.typical AS key_population_typical
FROM risk_score s
LEFT JOIN grid_current g ON s.kind = 'grid' AND g.code = s.code AND g.is_basic
LEFT JOIN sensitive.risk_key_population k ON k.as_of = s.as_of AND k.code = s.code
WHERE s.as_of = %(as_of)s
  AND (s.kind IN ('county', 'city') OR s.county_code = ANY (%(counties)s) OR s.code = ANY (%(codes)s))
