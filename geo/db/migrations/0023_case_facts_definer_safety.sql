-- The facts' SECURITY DEFINER functions (0021) run as the owner: no temporary object of the
-- caller may stand in for what they read or write. pg_temp goes last in their search path
-- (a temporary table can no longer shadow case_grid_day and the others), the trigger refuses
-- a pg_temp.case_fact_delta it did not make itself (one a caller made could carry a trigger
-- of the caller's, run as the owner), and only the owner (and the web role for the relink a
-- boundary commit makes) may call them.
ALTER FUNCTION case_facts_follow() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION case_facts_rebuild_areas(integer[]) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION case_facts_relink() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION case_facts_rebuild() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION case_facts_relink_at_commit() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION case_facts_add() SET search_path = pg_catalog, public, pg_temp;

CREATE OR REPLACE FUNCTION case_facts_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    delta oid := to_regclass('pg_temp.case_fact_delta');
BEGIN
    -- Kept for the session (created once, emptied after each use): no catalog churn per statement.
    IF delta IS NULL THEN
        CREATE TEMP TABLE case_fact_delta (
            grid_id integer, micro_grid_id integer, day date, category_code text, source text,
            closed boolean, deadline_day date, n integer
        );
    ELSIF (SELECT relowner FROM pg_class WHERE oid = delta) <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
       OR EXISTS (SELECT FROM pg_trigger WHERE tgrelid = delta) THEN
        RAISE EXCEPTION 'pg_temp.case_fact_delta was not made by the case facts';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO pg_temp.case_fact_delta
        SELECT grid_id, micro_grid_id, case_fact_day(reported_at), category_code, source, closed,
               CASE WHEN NOT closed THEN case_fact_day(deadline) END, 1
        FROM new_rows WHERE grid_id IS NOT NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO pg_temp.case_fact_delta
        SELECT grid_id, micro_grid_id, case_fact_day(reported_at), category_code, source, closed,
               CASE WHEN NOT closed THEN case_fact_day(deadline) END, -1
        FROM old_rows WHERE grid_id IS NOT NULL;
    END IF;
    PERFORM case_facts_add();
    RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION case_facts_rebuild(), case_facts_rebuild_areas(integer[]), case_facts_relink(),
    case_facts_add() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION case_facts_relink() TO safety_map_app;
