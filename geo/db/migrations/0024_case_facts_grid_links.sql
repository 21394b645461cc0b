-- Boundary commits in parallel: the facts' grid→area links changed grid by grid, not by
-- `case_facts_relink()`, which rebuilds every area above the edited community (the city's
-- totals included) and so made every commit wait for the one before (geo/boundaries/commit.py).
--
-- A commit links its new basic grids before it places the edited ground again and unlinks the
-- grids it closed afterwards. A case moved from an old grid to a new one of the same community
-- then counts out and in for the same areas in one statement (the placements are updated, not
-- deleted and inserted), so no area total is written at all; only the grids' own rows are.
-- Each function only makes links true: the first links only current basic grids, the second
-- unlinks only grids that are no longer current basic grids, subtracting what is still counted
-- in them from their areas' totals, so the totals stay the sum of their linked grids' facts.

CREATE FUNCTION case_facts_link_grids(grids integer[]) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH RECURSIVE up (area_id, grid_id, depth) AS (
        SELECT g.community_id, g.id, 1 FROM grid g
        WHERE g.id = ANY (grids) AND g.valid_to IS NULL AND g.is_basic AND g.community_id IS NOT NULL
        UNION ALL
        SELECT a.parent_id, up.grid_id, up.depth + 1
        FROM up JOIN admin_area a ON a.id = up.area_id
        WHERE a.parent_id IS NOT NULL AND up.depth < 10
    ), added AS (
        INSERT INTO case_fact_area_grid (area_id, grid_id)
        SELECT DISTINCT area_id, grid_id FROM up ORDER BY area_id, grid_id
        ON CONFLICT DO NOTHING RETURNING 1
    )
    SELECT count(*)::integer FROM added
$$;

CREATE FUNCTION case_facts_unlink_grids(grids integer[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    gone integer[];
    removed integer;
BEGIN
    SELECT array_agg(l.grid_id) INTO gone FROM (SELECT DISTINCT grid_id FROM case_fact_area_grid
        WHERE grid_id = ANY (grids)) l
    WHERE NOT EXISTS (SELECT FROM grid g WHERE g.id = l.grid_id AND g.valid_to IS NULL AND g.is_basic);
    IF gone IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO case_area_day AS f (area_id, day, category_code, source, closed, deadline_day, n)
    SELECT l.area_id, d.day, d.category_code, d.source, d.closed, d.deadline_day, -sum(d.n)
    FROM case_grid_day d JOIN case_fact_area_grid l ON l.grid_id = d.grid_id
    WHERE d.grid_id = ANY (gone)
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

REVOKE ALL ON FUNCTION case_facts_link_grids(integer[]), case_facts_unlink_grids(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION case_facts_link_grids(integer[]), case_facts_unlink_grids(integer[]) TO safety_map_app;
