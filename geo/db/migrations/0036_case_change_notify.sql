-- The live wall learns of new and changed cases from PostgreSQL itself (geo/live/changes.py)
-- instead of asking every second. One notice per writing statement, whatever its size (an
-- import of a million rows sends one), delivered when its transaction commits. The payload is
-- the statement's clock, the same for every listener, so each web worker hands the walls the
-- same stamp and a wall that is answered by another worker sees no change that is not one.
CREATE FUNCTION notify_case_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('safety_map_cases', (extract(epoch FROM clock_timestamp()) * 1e6)::bigint::text);
    RETURN NULL;
END $$;

-- Placing a case is what makes it appear on the wall (geo/live/wall.py reads assigned_at); a
-- change of a case's state alone brings the wall no new point (its figures follow every 15 s),
-- so it sends no notice. A statement that places nothing still sends one (no transition table:
-- that would hold every row of an import): a look that finds nothing.
CREATE TRIGGER case_assignment_changed_notify
    AFTER INSERT OR UPDATE ON case_assignment FOR EACH STATEMENT EXECUTE FUNCTION notify_case_change();
