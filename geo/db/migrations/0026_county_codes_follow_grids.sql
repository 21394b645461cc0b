-- A grid's county changes when it is linked to its community after it was imported (grids
-- before their areas: geo/db/queries/imports/areas.sql), or unlinked: its micro-grids, the
-- cases and buildings placed in it and its facts follow in the same statement, as they do
-- when an area moves (0025). Without this they kept the county of before (''), and a
-- county-partitioned risk run (geo/risk/partition.py) left their cases out.

CREATE FUNCTION county_codes_follow_grids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM new_grids n JOIN old_grids o ON o.id = n.id
                   WHERE n.county_code IS DISTINCT FROM o.county_code) THEN
        RETURN NULL;
    END IF;
    UPDATE micro_grid m SET county_code = n.county_code FROM new_grids n JOIN old_grids o ON o.id = n.id
        WHERE n.county_code IS DISTINCT FROM o.county_code AND n.valid_to IS NULL
          AND m.grid_code = n.code AND m.county_code <> n.county_code;
    UPDATE case_assignment a SET county_code = n.county_code FROM new_grids n JOIN old_grids o ON o.id = n.id
        WHERE n.county_code IS DISTINCT FROM o.county_code
          AND n.id = coalesce(a.grid_id, a.nearest_grid_id) AND a.county_code <> n.county_code;
    UPDATE building_assignment a SET county_code = n.county_code FROM new_grids n JOIN old_grids o ON o.id = n.id
        WHERE n.county_code IS DISTINCT FROM o.county_code AND n.id = a.grid_id AND a.county_code <> n.county_code;
    UPDATE case_grid_day f SET county_code = n.county_code FROM new_grids n JOIN old_grids o ON o.id = n.id
        WHERE n.county_code IS DISTINCT FROM o.county_code AND n.id = f.grid_id AND f.county_code <> n.county_code;
    UPDATE case_fact_area_grid f SET county_code = n.county_code FROM new_grids n JOIN old_grids o ON o.id = n.id
        WHERE n.county_code IS DISTINCT FROM o.county_code AND n.id = f.grid_id AND f.county_code <> n.county_code;
    RETURN NULL;
END $$;

CREATE TRIGGER grid_county_codes_follow AFTER UPDATE ON grid
    REFERENCING OLD TABLE AS old_grids NEW TABLE AS new_grids
    FOR EACH STATEMENT EXECUTE FUNCTION county_codes_follow_grids();
