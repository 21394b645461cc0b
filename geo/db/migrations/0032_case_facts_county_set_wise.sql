-- The facts' county (0025) was filled by a row trigger on every fact row written: a PL/pgSQL
-- call and a lookup per row, 1.8 s of the 3.4 s that the facts added to placing 50,000
-- imported cases (measured with the triggers on and off). The writers of every case write
-- (case_facts_add) and of a rebuild now supply it set-wise: a grid's county by a join, an
-- area's once per area (county_of_area, the function the trigger calls). The triggers stay
-- for the writers that leave the column out, which now leaves it NULL (no default): a row
-- that comes with its county, '' above the counties included, skips them.
ALTER TABLE case_grid_day ALTER COLUMN county_code DROP DEFAULT;
ALTER TABLE case_area_day ALTER COLUMN county_code DROP DEFAULT;
ALTER TABLE case_fact_area_grid ALTER COLUMN county_code DROP DEFAULT;

DROP TRIGGER case_grid_day_county_code ON case_grid_day;
CREATE TRIGGER case_grid_day_county_code BEFORE INSERT ON case_grid_day
    FOR EACH ROW WHEN (NEW.county_code IS NULL) EXECUTE FUNCTION county_code_of_grid_column();
DROP TRIGGER case_area_day_county_code ON case_area_day;
CREATE TRIGGER case_area_day_county_code BEFORE INSERT ON case_area_day
    FOR EACH ROW WHEN (NEW.county_code IS NULL) EXECUTE FUNCTION county_code_of_area_fact();
DROP TRIGGER case_fact_area_grid_county_code ON case_fact_area_grid;
CREATE TRIGGER case_fact_area_grid_county_code BEFORE INSERT ON case_fact_area_grid
    FOR EACH ROW WHEN (NEW.county_code IS NULL) EXECUTE FUNCTION county_code_of_grid_column();

CREATE OR REPLACE FUNCTION case_facts_add() RETURNS void LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO case_grid_day AS f (county_code, grid_id, micro_grid_id, day, category_code, source, closed,
                                    deadline_day, n)
    SELECT coalesce(g.county_code, ''), d.grid_id, d.micro_grid_id, d.day, d.category_code, d.source, d.closed,
           d.deadline_day, sum(d.n)
    FROM case_fact_delta d LEFT JOIN grid g ON g.id = d.grid_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(d.n) <> 0
    ORDER BY 2, 4, 5, 6, 7, 8, 3  -- as before (0021): writers lock rows in one order, no deadlock
    ON CONFLICT ON CONSTRAINT case_grid_day_key DO UPDATE SET n = f.n + EXCLUDED.n;
    WITH summed AS (
        SELECT l.area_id, d.day, d.category_code, d.source, d.closed, d.deadline_day, sum(d.n) AS n
        FROM case_fact_delta d JOIN case_fact_area_grid l ON l.grid_id = d.grid_id
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d.n) <> 0
    ), county AS MATERIALIZED (  -- once per area, not per row
        SELECT area_id, county_of_area(area_id) AS county_code FROM (SELECT DISTINCT area_id FROM summed) a
    )
    INSERT INTO case_area_day AS f (county_code, area_id, day, category_code, source, closed, deadline_day, n)
    SELECT c.county_code, s.area_id, s.day, s.category_code, s.source, s.closed, s.deadline_day, s.n
    FROM summed s JOIN county c USING (area_id)
    ORDER BY 2, 3, 4, 5, 6, 7  -- the order of case_facts_unlink_grids (0028): no deadlock
    ON CONFLICT ON CONSTRAINT case_area_day_key DO UPDATE SET n = f.n + EXCLUDED.n;
    IF EXISTS (SELECT FROM case_fact_delta WHERE n < 0) THEN
        DELETE FROM case_grid_day WHERE n = 0;
        DELETE FROM case_area_day WHERE n = 0;
    END IF;
    DELETE FROM case_fact_delta;
END $$;

CREATE OR REPLACE FUNCTION case_facts_rebuild() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    DELETE FROM case_fact_area_grid;
    INSERT INTO case_fact_area_grid (area_id, grid_id, county_code)
    SELECT l.area_id, l.grid_id, coalesce(g.county_code, '')
    FROM case_fact_links() l LEFT JOIN grid g ON g.id = l.grid_id;
    DELETE FROM case_grid_day;
    INSERT INTO case_grid_day (county_code, grid_id, micro_grid_id, day, category_code, source, closed, deadline_day, n)
    SELECT coalesce(g.county_code, ''), a.grid_id, a.micro_grid_id, case_fact_day(a.reported_at), a.category_code,
           a.source, a.closed, CASE WHEN NOT a.closed THEN case_fact_day(a.deadline) END, count(*)
    FROM case_assignment a LEFT JOIN grid g ON g.id = a.grid_id
    WHERE a.grid_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
    PERFORM case_facts_rebuild_areas(NULL);
END $$;

CREATE OR REPLACE FUNCTION case_facts_rebuild_areas(areas integer[]) RETURNS void LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
    DELETE FROM case_area_day WHERE areas IS NULL OR area_id = ANY (areas);
    WITH summed AS (
        SELECT l.area_id, f.day, f.category_code, f.source, f.closed, f.deadline_day, sum(f.n) AS n
        FROM case_fact_area_grid l JOIN case_grid_day f ON f.grid_id = l.grid_id
        WHERE areas IS NULL OR l.area_id = ANY (areas)
        GROUP BY 1, 2, 3, 4, 5, 6
    ), county AS MATERIALIZED (  -- once per area, not per row
        SELECT area_id, county_of_area(area_id) AS county_code FROM (SELECT DISTINCT area_id FROM summed) a
    )
    INSERT INTO case_area_day (county_code, area_id, day, category_code, source, closed, deadline_day, n)
    SELECT c.county_code, s.area_id, s.day, s.category_code, s.source, s.closed, s.deadline_day, s.n
    FROM summed s JOIN county c USING (area_id);
$$;
