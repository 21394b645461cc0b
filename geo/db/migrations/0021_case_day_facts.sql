-- Daily case facts: the map's, the overview's and the wall's period figures are sums of these
-- counts, not scans of the cases. One row per grid (and micro-grid within it), day reported,
-- category, source and state, with the count n; and the same summed per admin area (every area
-- above the grid's community, and the community itself), so the top of a city or a province
-- reads a few thousand rows whatever its number of cases.
--
-- The state is what stays true as time passes: closed, or open with the day of its deadline.
-- "Overdue" (open and past the deadline) depends on the moment it is asked; the readers derive
-- it from deadline_day, and count the open cases whose deadline falls today one by one
-- (geo/db/queries/facts/). Days are those of the zone the database was migrated in (the
-- configured one, Asia/Shanghai), which every connection of the project uses.
--
-- The facts follow case_assignment (which follows the cases, migrations 0013/0014) by
-- statement-level triggers with transition tables, in the writing transaction: a bulk
-- placement pays one grouped upsert per statement, not one per row. Grids and areas move
-- between areas only by boundary commits and layer imports: `case_facts_relink()` rebuilds the
-- grid→area links and the totals of every area whose grids changed (called by the commit,
-- and once per transaction at its end by a deferred trigger on grid and admin_area).

CREATE TABLE case_grid_day (
    grid_id       integer NOT NULL,
    micro_grid_id integer,
    day           date NOT NULL,
    category_code text NOT NULL,
    source        text NOT NULL,
    closed        boolean NOT NULL,
    deadline_day  date,  -- NULL when closed
    n             integer NOT NULL,
    CONSTRAINT case_grid_day_key UNIQUE NULLS NOT DISTINCT
        (grid_id, day, category_code, source, closed, deadline_day, micro_grid_id) INCLUDE (n)
);

CREATE TABLE case_area_day (
    area_id       integer NOT NULL,
    day           date NOT NULL,
    category_code text NOT NULL,
    source        text NOT NULL,
    closed        boolean NOT NULL,
    deadline_day  date,
    n             integer NOT NULL,
    CONSTRAINT case_area_day_key UNIQUE NULLS NOT DISTINCT
        (area_id, day, category_code, source, closed, deadline_day) INCLUDE (n)
);

-- Rows counted down to nothing are found by these (they stay empty) and deleted.
CREATE INDEX case_grid_day_zero_idx ON case_grid_day (grid_id) WHERE n = 0;
CREATE INDEX case_area_day_zero_idx ON case_area_day (area_id) WHERE n = 0;

-- Every current basic grid with each admin area it lies in (its community and the areas
-- above, as map/area_grids walks them down).
CREATE TABLE case_fact_area_grid (
    area_id integer NOT NULL,
    grid_id integer NOT NULL,
    PRIMARY KEY (area_id, grid_id)
);
CREATE INDEX case_fact_area_grid_grid_idx ON case_fact_area_grid (grid_id, area_id);

-- The open placements by deadline: the figures count those due today one by one.
CREATE INDEX case_assignment_open_deadline_idx ON case_assignment (deadline)
    INCLUDE (grid_id, micro_grid_id, reported_at, category_code, source) WHERE NOT closed;

-- The day of a time in the facts' zone (fixed when migrated).
DO $do$
BEGIN
    EXECUTE format($f$CREATE FUNCTION case_fact_day(t timestamptz) RETURNS date
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$SELECT (t AT TIME ZONE %L)::date$b$$f$,
        current_setting('TimeZone'));
    EXECUTE format($f$CREATE FUNCTION case_fact_zone() RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $b$SELECT %L::text$b$$f$, current_setting('TimeZone'));
END $do$;

-- The grid→area links as they should be now.
CREATE FUNCTION case_fact_links() RETURNS TABLE (area_id integer, grid_id integer)
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    WITH RECURSIVE up (area_id, grid_id, depth) AS (
        SELECT g.community_id, g.id, 1 FROM grid g
        WHERE g.valid_to IS NULL AND g.is_basic AND g.community_id IS NOT NULL
        UNION ALL
        SELECT a.parent_id, up.grid_id, up.depth + 1
        FROM up JOIN admin_area a ON a.id = up.area_id
        WHERE a.parent_id IS NOT NULL AND up.depth < 10
    )
    SELECT DISTINCT area_id, grid_id FROM up
$$;

-- Adds signed counts (a temp table case_fact_delta of grid rows) to both fact tables.
CREATE FUNCTION case_facts_add() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO case_grid_day AS f (grid_id, micro_grid_id, day, category_code, source, closed, deadline_day, n)
    SELECT grid_id, micro_grid_id, day, category_code, source, closed, deadline_day, sum(n)
    FROM case_fact_delta
    GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0
    ORDER BY 1, 3, 4, 5, 6, 7, 2
    ON CONFLICT ON CONSTRAINT case_grid_day_key DO UPDATE SET n = f.n + EXCLUDED.n;
    INSERT INTO case_area_day AS f (area_id, day, category_code, source, closed, deadline_day, n)
    SELECT l.area_id, d.day, d.category_code, d.source, d.closed, d.deadline_day, sum(d.n)
    FROM case_fact_delta d JOIN case_fact_area_grid l ON l.grid_id = d.grid_id
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d.n) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ON CONSTRAINT case_area_day_key DO UPDATE SET n = f.n + EXCLUDED.n;
    IF EXISTS (SELECT FROM case_fact_delta WHERE n < 0) THEN
        DELETE FROM case_grid_day WHERE n = 0;
        DELETE FROM case_area_day WHERE n = 0;
    END IF;
    DELETE FROM case_fact_delta;
END $$;

-- The statement trigger of case_assignment: old rows counted out, new rows in.
CREATE FUNCTION case_facts_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    -- Kept for the session (created once, emptied after each use): no catalog churn per statement.
    IF to_regclass('pg_temp.case_fact_delta') IS NULL THEN
        CREATE TEMP TABLE case_fact_delta (
            grid_id integer, micro_grid_id integer, day date, category_code text, source text,
            closed boolean, deadline_day date, n integer
        );
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO case_fact_delta
        SELECT grid_id, micro_grid_id, case_fact_day(reported_at), category_code, source, closed,
               CASE WHEN NOT closed THEN case_fact_day(deadline) END, 1
        FROM new_rows WHERE grid_id IS NOT NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO case_fact_delta
        SELECT grid_id, micro_grid_id, case_fact_day(reported_at), category_code, source, closed,
               CASE WHEN NOT closed THEN case_fact_day(deadline) END, -1
        FROM old_rows WHERE grid_id IS NOT NULL;
    END IF;
    PERFORM case_facts_add();
    RETURN NULL;
END $$;

CREATE TRIGGER case_assignment_facts_insert
    AFTER INSERT ON case_assignment REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION case_facts_follow();
CREATE TRIGGER case_assignment_facts_update
    AFTER UPDATE ON case_assignment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION case_facts_follow();
CREATE TRIGGER case_assignment_facts_delete
    AFTER DELETE ON case_assignment REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION case_facts_follow();

-- The areas' totals of `areas` (NULL: every area) summed again from the grids' facts.
CREATE FUNCTION case_facts_rebuild_areas(areas integer[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DELETE FROM case_area_day WHERE areas IS NULL OR area_id = ANY (areas);
    INSERT INTO case_area_day (area_id, day, category_code, source, closed, deadline_day, n)
    SELECT l.area_id, f.day, f.category_code, f.source, f.closed, f.deadline_day, sum(f.n)
    FROM case_fact_area_grid l JOIN case_grid_day f ON f.grid_id = l.grid_id
    WHERE areas IS NULL OR l.area_id = ANY (areas)
    GROUP BY 1, 2, 3, 4, 5, 6;
$$;

-- The grid→area links made true again, and the totals of every area whose grids changed
-- summed again. Returns the number of areas rebuilt.
CREATE FUNCTION case_facts_relink() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    changed integer[];
BEGIN
    CREATE TEMP TABLE case_fact_links_now ON COMMIT DROP AS SELECT * FROM case_fact_links();
    SELECT array_agg(DISTINCT area_id) INTO changed FROM (
        (SELECT area_id, grid_id FROM case_fact_links_now EXCEPT SELECT area_id, grid_id FROM case_fact_area_grid)
        UNION ALL
        (SELECT area_id, grid_id FROM case_fact_area_grid EXCEPT SELECT area_id, grid_id FROM case_fact_links_now)
    ) d;
    IF changed IS NOT NULL THEN
        DELETE FROM case_fact_area_grid WHERE area_id = ANY (changed);
        INSERT INTO case_fact_area_grid SELECT area_id, grid_id FROM case_fact_links_now WHERE area_id = ANY (changed);
        PERFORM case_facts_rebuild_areas(changed);
    END IF;
    DROP TABLE case_fact_links_now;
    RETURN coalesce(cardinality(changed), 0);
END $$;

-- All the facts counted again from the placements (the migration, and a repair).
CREATE FUNCTION case_facts_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    DELETE FROM case_fact_area_grid;
    INSERT INTO case_fact_area_grid SELECT area_id, grid_id FROM case_fact_links();
    DELETE FROM case_grid_day;
    INSERT INTO case_grid_day (grid_id, micro_grid_id, day, category_code, source, closed, deadline_day, n)
    SELECT grid_id, micro_grid_id, case_fact_day(reported_at), category_code, source, closed,
           CASE WHEN NOT closed THEN case_fact_day(deadline) END, count(*)
    FROM case_assignment WHERE grid_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    PERFORM case_facts_rebuild_areas(NULL);
END $$;

-- Grids or areas written: the links are made true once, when the transaction commits (the
-- first row's trigger relinks, the others find it done).
CREATE FUNCTION case_facts_relink_at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF coalesce(current_setting('safety_map.facts_relink_done', true), '') <> txid_current()::text THEN
        PERFORM case_facts_relink();
        PERFORM set_config('safety_map.facts_relink_done', txid_current()::text, true);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER grid_case_facts_relink
    AFTER INSERT OR DELETE OR UPDATE OF community_id, valid_to, is_basic ON grid
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION case_facts_relink_at_commit();
CREATE CONSTRAINT TRIGGER admin_area_case_facts_relink
    AFTER INSERT OR DELETE OR UPDATE OF parent_id ON admin_area
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION case_facts_relink_at_commit();

SELECT case_facts_rebuild();

-- The web role reads the facts; only the functions above (as the owner) write them.
REVOKE ALL ON case_grid_day, case_area_day, case_fact_area_grid FROM safety_map_app;
GRANT SELECT ON case_grid_day, case_area_day, case_fact_area_grid TO safety_map_app;
