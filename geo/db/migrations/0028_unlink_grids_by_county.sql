-- Unlinking closed grids from the facts (0024) read their day facts by `grid_id` alone, and
-- since 0025 the facts' key leads with the county: at province scale that read every fact
-- row for each boundary commit. The grids' own rows give their county (0026 keeps the facts'
-- county equal to their grid's), so the facts are read through their key.

CREATE OR REPLACE FUNCTION case_facts_unlink_grids(grids integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    gone integer[];
    gone_counties text[];
    removed integer;
BEGIN
    SELECT array_agg(l.grid_id) INTO gone FROM (SELECT DISTINCT grid_id FROM case_fact_area_grid
        WHERE grid_id = ANY (grids)) l
    WHERE NOT EXISTS (SELECT FROM grid g WHERE g.id = l.grid_id AND g.valid_to IS NULL AND g.is_basic);
    IF gone IS NULL THEN
        RETURN 0;
    END IF;
    SELECT array_agg(DISTINCT county_code) INTO gone_counties FROM grid WHERE id = ANY (gone);
    INSERT INTO case_area_day AS f (area_id, day, category_code, source, closed, deadline_day, n)
    SELECT l.area_id, d.day, d.category_code, d.source, d.closed, d.deadline_day, -sum(d.n)
    FROM case_grid_day d JOIN case_fact_area_grid l ON l.grid_id = d.grid_id
    WHERE d.county_code = ANY (gone_counties) AND d.grid_id = ANY (gone)
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d.n) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ON CONSTRAINT case_area_day_key DO UPDATE SET n = f.n + EXCLUDED.n;
    DELETE FROM case_area_day f USING (SELECT DISTINCT area_id FROM case_fact_area_grid
        WHERE grid_id = ANY (gone)) a
    WHERE f.area_id = a.area_id AND f.n = 0;
    DELETE FROM case_fact_area_grid WHERE grid_id = ANY (gone);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END $$;
