-- For the benchmark only (created inside a transaction that is rolled back): the daily facts
-- kept by a row-level trigger, one upsert per placement and per area above its grid, to
-- compare with migration 0021's statement-level triggers.
CREATE FUNCTION bench_facts_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r case_assignment;
    sign integer;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; sign := -1; ELSE r := NEW; sign := 1; END IF;
    IF r.grid_id IS NULL THEN RETURN NULL; END IF;
    INSERT INTO case_grid_day AS f
    VALUES (r.grid_id, r.micro_grid_id, case_fact_day(r.reported_at), r.category_code, r.source, r.closed,
            CASE WHEN NOT r.closed THEN case_fact_day(r.deadline) END, sign)
    ON CONFLICT ON CONSTRAINT case_grid_day_key DO UPDATE SET n = f.n + EXCLUDED.n;
    INSERT INTO case_area_day AS f
    SELECT l.area_id, case_fact_day(r.reported_at), r.category_code, r.source, r.closed,
           CASE WHEN NOT r.closed THEN case_fact_day(r.deadline) END, sign
    FROM case_fact_area_grid l WHERE l.grid_id = r.grid_id
    ON CONFLICT ON CONSTRAINT case_area_day_key DO UPDATE SET n = f.n + EXCLUDED.n;
    RETURN NULL;
END $$;
CREATE TRIGGER bench_facts_row AFTER INSERT OR DELETE ON case_assignment
    FOR EACH ROW EXECUTE FUNCTION bench_facts_row();
