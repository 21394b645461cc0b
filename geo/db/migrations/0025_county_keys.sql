-- The county code in the keys of the large tables, as a distributed PostgreSQL (Citus) would
-- shard them (docs/scale.md): the grids, micro-grids, the placements of cases and buildings,
-- and the day facts carry `county_code`, the 6-digit code of the county (district) they lie
-- in, and it leads their primary key (or their unique key). The writers are unchanged: a
-- BEFORE trigger fills the column from the grid (or the area) the row names, so the demo
-- load, the imports, the geocoder, the live cases and the facts' functions keep writing the
-- rows they wrote. '' stands for "no county yet": a case in review or a building outside every
-- grid, whose placement has no grid; a grid whose community has no county above it.
--
-- The single-column keys stay beside the new ones for now, because foreign keys and the
-- writers' ON CONFLICT clauses name them (geo/db/distribution.py lists them: the move to
-- Citus drops them and adds the county to those clauses).

-- The county of an area: itself (level 2), its parent (a township) or its grandparent (a
-- community); '' for the city, above every county.
CREATE FUNCTION county_of_area(area_ref integer) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT CASE WHEN a.level = 2 THEN a.code WHEN p.level = 2 THEN p.code WHEN pp.level = 2 THEN pp.code END
        FROM admin_area a
        LEFT JOIN admin_area p ON p.id = a.parent_id
        LEFT JOIN admin_area pp ON pp.id = p.parent_id
        WHERE a.id = area_ref), '')
$$;

ALTER TABLE grid ADD COLUMN county_code text NOT NULL DEFAULT '';
ALTER TABLE micro_grid ADD COLUMN county_code text NOT NULL DEFAULT '';
ALTER TABLE case_assignment ADD COLUMN county_code text NOT NULL DEFAULT '';
ALTER TABLE building_assignment ADD COLUMN county_code text NOT NULL DEFAULT '';
ALTER TABLE case_grid_day ADD COLUMN county_code text NOT NULL DEFAULT '';
ALTER TABLE case_area_day ADD COLUMN county_code text NOT NULL DEFAULT '';
ALTER TABLE case_fact_area_grid ADD COLUMN county_code text NOT NULL DEFAULT '';

-- Fill what is there, each from its grid (or area), as the triggers below will.
CREATE TEMP TABLE area_county ON COMMIT DROP AS SELECT id, county_of_area(id) AS county_code FROM admin_area;
UPDATE grid g SET county_code = m.county_code FROM area_county m WHERE m.id = g.community_id;
UPDATE micro_grid m SET county_code = g.county_code FROM grid g WHERE g.code = m.grid_code AND g.valid_to IS NULL;
-- Filling a column moves no case: the placements' triggers (facts, risk marks) stay out of it.
ALTER TABLE case_assignment DISABLE TRIGGER USER;
UPDATE case_assignment a SET county_code = g.county_code FROM grid g WHERE g.id = coalesce(a.grid_id, a.nearest_grid_id);
ALTER TABLE case_assignment ENABLE TRIGGER USER;
UPDATE building_assignment a SET county_code = g.county_code FROM grid g WHERE g.id = a.grid_id;
UPDATE case_grid_day f SET county_code = g.county_code FROM grid g WHERE g.id = f.grid_id;
UPDATE case_area_day f SET county_code = m.county_code FROM area_county m
    WHERE m.id = f.area_id AND m.county_code <> '';
UPDATE case_fact_area_grid f SET county_code = g.county_code FROM grid g WHERE g.id = f.grid_id;

CREATE FUNCTION county_code_of_grid_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.county_code := county_of_area(NEW.community_id);
    RETURN NEW;
END $$;
CREATE TRIGGER grid_county_code BEFORE INSERT OR UPDATE OF community_id ON grid
    FOR EACH ROW EXECUTE FUNCTION county_code_of_grid_row();

CREATE FUNCTION county_code_of_micro_grid_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT g.county_code INTO NEW.county_code FROM grid g WHERE g.code = NEW.grid_code AND g.valid_to IS NULL;
    NEW.county_code := coalesce(NEW.county_code, '');
    RETURN NEW;
END $$;
CREATE TRIGGER micro_grid_county_code BEFORE INSERT OR UPDATE OF grid_code ON micro_grid
    FOR EACH ROW EXECUTE FUNCTION county_code_of_micro_grid_row();

-- A case outside every grid belongs to the county of its nearest grid; in review, to none yet.
-- (A SELECT INTO: a call of a SQL function here cost three times as much a row, measured.)
CREATE FUNCTION county_code_of_case_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT g.county_code INTO NEW.county_code FROM grid g WHERE g.id = coalesce(NEW.grid_id, NEW.nearest_grid_id);
    NEW.county_code := coalesce(NEW.county_code, '');
    RETURN NEW;
END $$;
CREATE TRIGGER case_assignment_county_code BEFORE INSERT OR UPDATE OF grid_id, nearest_grid_id ON case_assignment
    FOR EACH ROW EXECUTE FUNCTION county_code_of_case_placement();

CREATE FUNCTION county_code_of_grid_column() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT g.county_code INTO NEW.county_code FROM grid g WHERE g.id = NEW.grid_id;
    NEW.county_code := coalesce(NEW.county_code, '');
    RETURN NEW;
END $$;
CREATE TRIGGER building_assignment_county_code BEFORE INSERT OR UPDATE OF grid_id ON building_assignment
    FOR EACH ROW EXECUTE FUNCTION county_code_of_grid_column();
CREATE TRIGGER case_grid_day_county_code BEFORE INSERT ON case_grid_day
    FOR EACH ROW EXECUTE FUNCTION county_code_of_grid_column();
CREATE TRIGGER case_fact_area_grid_county_code BEFORE INSERT ON case_fact_area_grid
    FOR EACH ROW EXECUTE FUNCTION county_code_of_grid_column();

-- An area's facts belong to its county; those of the city (above every county) to none ('').
CREATE FUNCTION county_code_of_area_fact() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.county_code := county_of_area(NEW.area_id);
    RETURN NEW;
END $$;
CREATE TRIGGER case_area_day_county_code BEFORE INSERT ON case_area_day
    FOR EACH ROW EXECUTE FUNCTION county_code_of_area_fact();

-- A county's community or township moved under another county (an area import): its grids
-- and everything placed in them follow, set-wise, once per statement.
CREATE FUNCTION county_codes_follow_areas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM old_areas o JOIN new_areas n ON n.id = o.id
                   WHERE n.parent_id IS DISTINCT FROM o.parent_id) THEN
        RETURN NULL;
    END IF;
    UPDATE grid SET county_code = county_of_area(community_id) WHERE county_code <> county_of_area(community_id);
    UPDATE micro_grid m SET county_code = g.county_code FROM grid g
        WHERE g.code = m.grid_code AND g.valid_to IS NULL AND m.county_code <> g.county_code;
    UPDATE case_assignment a SET county_code = g.county_code FROM grid g
        WHERE g.id = coalesce(a.grid_id, a.nearest_grid_id) AND a.county_code <> g.county_code;
    UPDATE building_assignment a SET county_code = g.county_code FROM grid g
        WHERE g.id = a.grid_id AND a.county_code <> g.county_code;
    UPDATE case_grid_day f SET county_code = g.county_code FROM grid g
        WHERE g.id = f.grid_id AND f.county_code <> g.county_code;
    UPDATE case_area_day SET county_code = county_of_area(area_id) WHERE county_code <> county_of_area(area_id);
    UPDATE case_fact_area_grid f SET county_code = g.county_code FROM grid g
        WHERE g.id = f.grid_id AND f.county_code <> g.county_code;
    RETURN NULL;
END $$;
CREATE TRIGGER admin_area_county_codes AFTER UPDATE ON admin_area
    REFERENCING OLD TABLE AS old_areas NEW TABLE AS new_areas
    FOR EACH STATEMENT EXECUTE FUNCTION county_codes_follow_areas();

-- Keys: the county first. A primary key moves to (county_code, its columns); the old columns
-- keep a unique index of their own (transitional, geo/db/distribution.py), which the foreign
-- keys that pointed at the primary key are re-pointed at.
CREATE FUNCTION pg_temp.county_first_key(target regclass, columns text, keep boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    pointing record;
    saved text[] := '{}';
    name text := (SELECT relname FROM pg_class WHERE oid = target);
BEGIN
    FOR pointing IN
        SELECT conname, conrelid::regclass AS source, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint WHERE contype = 'f' AND confrelid = target
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', pointing.source, pointing.conname);
        saved := saved || format('ALTER TABLE %s ADD CONSTRAINT %I %s', pointing.source, pointing.conname,
                                 pointing.definition);
    END LOOP;
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', target, name || '_pkey');
    IF keep THEN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I UNIQUE (%s)', target, name || '_id_key', columns);
    END IF;
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (county_code, %s)', target, name || '_pkey', columns);
    FOR i IN 1 .. coalesce(array_length(saved, 1), 0) LOOP
        EXECUTE saved[i];
    END LOOP;
END $$;

SELECT pg_temp.county_first_key('grid', 'id', true);
SELECT pg_temp.county_first_key('micro_grid', 'id', true);
SELECT pg_temp.county_first_key('case_assignment', 'case_id', true);
SELECT pg_temp.county_first_key('building_assignment', 'building_id', true);
-- Nothing points at a link or upserts it: its old key goes.
SELECT pg_temp.county_first_key('case_fact_area_grid', 'area_id, grid_id', false);

-- The facts' keys keep their names (the facts' functions upsert ON CONFLICT ON CONSTRAINT
-- them) and take the county first; it follows from the grid or area, so nothing that was one
-- row becomes two.
ALTER TABLE case_grid_day DROP CONSTRAINT case_grid_day_key,
    ADD CONSTRAINT case_grid_day_key UNIQUE NULLS NOT DISTINCT
        (county_code, grid_id, day, category_code, source, closed, deadline_day, micro_grid_id) INCLUDE (n);
ALTER TABLE case_area_day DROP CONSTRAINT case_area_day_key,
    ADD CONSTRAINT case_area_day_key UNIQUE NULLS NOT DISTINCT
        (county_code, area_id, day, category_code, source, closed, deadline_day) INCLUDE (n);

-- Current codes are unique within their county (a county's partition checks its own).
CREATE UNIQUE INDEX grid_current_county_code_idx ON grid (county_code, code) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX micro_grid_current_county_code_idx ON micro_grid (county_code, code) WHERE valid_to IS NULL;

-- The views of the present rows show the new column too (a view's * is fixed when it is made).
CREATE OR REPLACE VIEW grid_current AS SELECT * FROM grid WHERE valid_to IS NULL;
CREATE OR REPLACE VIEW micro_grid_current AS SELECT * FROM micro_grid WHERE valid_to IS NULL;
