-- Before a dry-run commit: the buildings placed on the grid versions about to close.
CREATE TEMP TABLE impact_buildings ON COMMIT DROP AS
SELECT a.building_id, g.code AS before_code
FROM building_assignment a JOIN grid g ON g.id = a.grid_id
WHERE a.grid_id = ANY (%(closed)s)
