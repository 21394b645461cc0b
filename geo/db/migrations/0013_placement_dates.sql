-- The map reads a unit's cases of a date range through the unit's grids. With the day a case
-- was reported kept on its placement, and one index on both, it reads exactly those cases:
-- a county's month is the same work in a city of 4,000 grids as in a province of 40,000
-- (without it, every case of the county's year was fetched to test its date). The new index
-- replaces the one on grid_id alone, so bulk placement pays for no extra index.
ALTER TABLE case_assignment ADD COLUMN reported_at timestamptz;
UPDATE case_assignment a SET reported_at = c.reported_at FROM cases c WHERE c.id = a.case_id;
CREATE INDEX case_assignment_grid_reported_idx ON case_assignment (grid_id, reported_at);
DROP INDEX case_assignment_grid_idx;

-- The bulk geocoder writes the date with the placement; any other writer may leave it out,
-- and it is copied from the case here.
CREATE FUNCTION fill_placement_reported_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.reported_at := (SELECT reported_at FROM cases WHERE id = NEW.case_id);
    RETURN NEW;
END $$;
CREATE TRIGGER case_assignment_fill_reported_at
    BEFORE INSERT OR UPDATE ON case_assignment
    FOR EACH ROW WHEN (NEW.reported_at IS NULL) EXECUTE FUNCTION fill_placement_reported_at();

-- A case whose report time is corrected carries its placement along. Statement-level, so a
-- bulk update joins its rows once.
CREATE FUNCTION follow_case_reported_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_assignment a SET reported_at = n.reported_at
    FROM new_cases n JOIN old_cases o ON o.id = n.id
    WHERE a.case_id = n.id AND n.reported_at IS DISTINCT FROM o.reported_at;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_reported_at_followed
    AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION follow_case_reported_at();
