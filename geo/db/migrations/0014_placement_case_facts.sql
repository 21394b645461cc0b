-- The map counts an area's cases by date, category, source and state (open, overdue, closed).
-- Kept on the placement beside the grid and the date (0013) and included in its indexes, they
-- are read from an index alone, without fetching each case row: the top of a province (74,000
-- cases in a month) was two index probes per case, about 300 ms per figure. The copies
-- follow the case through the triggers below, as the date already did.
ALTER TABLE case_assignment
    ADD COLUMN category_code text,
    ADD COLUMN source        text,
    ADD COLUMN closed        boolean,
    ADD COLUMN deadline      timestamptz;
UPDATE case_assignment a
SET category_code = c.category_code, source = c.source, closed = c.status = 'closed', deadline = c.deadline
FROM cases c WHERE c.id = a.case_id;

-- An area's month through its grids (0013's index, now covering the figures), and the top of
-- several cities by date alone: there every grid is in scope, and probing 40,000 grids one by
-- one costs more than reading the month.
DROP INDEX case_assignment_grid_reported_idx;
CREATE INDEX case_assignment_grid_reported_idx ON case_assignment (grid_id, reported_at)
    INCLUDE (category_code, source, closed, deadline);
CREATE INDEX case_assignment_reported_idx ON case_assignment (reported_at)
    INCLUDE (grid_id, category_code, source, closed, deadline) WHERE grid_id IS NOT NULL;

-- Writers may leave the copies out (the bulk geocoder writes them); they are filled from the case.
DROP TRIGGER case_assignment_fill_reported_at ON case_assignment;
DROP FUNCTION fill_placement_reported_at();
CREATE FUNCTION fill_placement_case_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.reported_at, c.category_code, c.source, c.status = 'closed', c.deadline
    INTO NEW.reported_at, NEW.category_code, NEW.source, NEW.closed, NEW.deadline
    FROM cases c WHERE c.id = NEW.case_id;
    RETURN NEW;
END $$;
CREATE TRIGGER case_assignment_fill_case_facts
    BEFORE INSERT OR UPDATE ON case_assignment
    FOR EACH ROW WHEN (NEW.reported_at IS NULL OR NEW.category_code IS NULL OR NEW.source IS NULL
                       OR NEW.closed IS NULL OR NEW.deadline IS NULL)
    EXECUTE FUNCTION fill_placement_case_facts();

-- A case that is closed, reopened, recategorised or corrected carries its placement along.
-- Statement-level, so a bulk update joins its rows once.
DROP TRIGGER cases_reported_at_followed ON cases;
DROP FUNCTION follow_case_reported_at();
CREATE FUNCTION follow_case_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_assignment a
    SET reported_at = n.reported_at, category_code = n.category_code, source = n.source,
        closed = n.status = 'closed', deadline = n.deadline
    FROM new_cases n JOIN old_cases o ON o.id = n.id
    WHERE a.case_id = n.id
      AND (n.reported_at, n.category_code, n.source, n.status = 'closed', n.deadline)
          IS DISTINCT FROM (o.reported_at, o.category_code, o.source, o.status = 'closed', o.deadline);
    RETURN NULL;
END $$;
CREATE TRIGGER cases_facts_followed
    AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_cases NEW TABLE AS new_cases
    FOR EACH STATEMENT EXECUTE FUNCTION follow_case_facts();
