-- The case loop's intakes and field work (issue 23): new cases from the grid worker's phone
-- page and from other systems (Open311), photos attached to a report back, and the grid
-- workers' rounds (走访). The dashboard's role writes none of these tables directly: each goes
-- through a function below that checks who presents the session.

-- ---------------------------------------------------------------- intake
-- Codes of cases received here: <prefix><yyyymmdd><6 digits>, the digits from one sequence.
CREATE SEQUENCE case_intake_seq;

-- Systems allowed to post cases (Open311 GeoReport v2): an API key each, stored as its SHA-256.
CREATE TABLE intake_source (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{2,40}$'),
    name       text NOT NULL,
    key_hash   text NOT NULL UNIQUE,
    channel    text NOT NULL DEFAULT 'online' CHECK (channel IN
                   ('grid_worker', 'hotline_12345', 'police_110', 'walk_in', 'online', 'other')),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Which source posted which case, and the id it was given (Open311's service_request_id):
-- random, so that knowing one request's id tells nothing of another's.
ALTER TABLE cases
    ADD COLUMN intake_source text REFERENCES intake_source (code),
    ADD COLUMN intake_ref text UNIQUE;

-- A new case at a point (WGS84) or an address, received now: status 受理, the category's
-- deadline (case_deadline), a 'receive' event. Returns its id; the caller places it (the
-- geocoder) in the same transaction. `who` and `prefix` come from the caller's checks
-- (case_report_by_session, case_report_by_source).
CREATE FUNCTION case_intake(source text, category text, summary text, lon float8, lat float8, address text,
                            who text, prefix text, from_source text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, audit AS $$
DECLARE
    new_id bigint;
    new_code text;
    n bigint;
BEGIN
    summary := btrim(coalesce(summary, ''));
    address := nullif(btrim(coalesce(address, '')), '');
    IF NOT EXISTS (SELECT FROM case_category k WHERE k.code = category) THEN
        PERFORM case_refuse('SMC04', format('no category %s', category), '{"field": "category"}');
    END IF;
    IF summary = '' OR length(summary) > 2000 THEN
        PERFORM case_refuse('SMC04', 'a case needs a description of at most 2000 characters', '{"field": "summary"}');
    END IF;
    IF (lon IS NULL) <> (lat IS NULL) OR (lon IS NULL AND address IS NULL) THEN
        PERFORM case_refuse('SMC04', 'a case needs a position (longitude and latitude) or an address', '{"field": "position"}');
    END IF;
    IF lon IS NOT NULL AND NOT (lon BETWEEN 73 AND 136 AND lat BETWEEN 3 AND 54) THEN
        PERFORM case_refuse('SMC04', format('the position %s, %s is not in China', lon, lat), '{"field": "position"}');
    END IF;
    n := nextval('case_intake_seq');
    new_code := prefix || to_char(now() AT TIME ZONE case_fact_zone(), 'YYYYMMDD') || lpad(n::text, greatest(6, length(n::text)), '0');
    INSERT INTO cases (code, source, category_code, summary, reported_at, geom, raw_lon, raw_lat, raw_crs,
                       address_text, status, deadline, intake_source, intake_ref)
    VALUES (new_code, source, category, left(summary, 2000), now(),
            CASE WHEN lon IS NOT NULL THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END,
            lon, lat, CASE WHEN lon IS NOT NULL THEN 'wgs84' END, left(address, 300), 'accepted',
            case_deadline(category, now()), from_source,
            CASE WHEN from_source IS NOT NULL THEN prefix || replace(gen_random_uuid()::text, '-', '') END)
    RETURNING id INTO new_id;
    PERFORM case_received(new_id, who, source);
    RETURN new_id;
END
$$;

-- A case reported by the signed-in grid worker or dispatcher (the phone page).
CREATE FUNCTION case_report_by_session(category text, summary text, lon float8, lat float8, address text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, auth AS $$
DECLARE
    who record;
BEGIN
    SELECT u.username, u.role INTO who FROM auth.presented_user() u;
    IF who.username IS NULL OR who.role NOT IN ('grid_worker', 'dispatcher') THEN
        PERFORM case_refuse('SMC03', 'only grid workers and dispatchers report cases',
                            jsonb_build_object('role', who.role, 'session', who.username IS NOT NULL));
    END IF;
    RETURN case_intake('grid_worker', category, summary, lon, lat, address, who.username, 'WG', NULL);
END
$$;

-- A case posted by another system with its API key (Open311). Unknown or inactive key: refused.
CREATE FUNCTION case_report_by_source(api_key text, category text, summary text, lon float8, lat float8, address text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    found intake_source;
BEGIN
    SELECT * INTO found FROM intake_source s
    WHERE s.key_hash = encode(sha256(convert_to(coalesce(api_key, ''), 'UTF8')), 'hex') AND s.active;
    IF found.code IS NULL THEN
        PERFORM case_refuse('SMC03', 'unknown or revoked API key', '{"role": null}');
    END IF;
    RETURN case_intake(found.channel, category, summary, lon, lat, address, 'open311:' || found.code, 'OS', found.code);
END
$$;

-- The source of an API key, for the Open311 reads (a source sees the requests it posted).
CREATE FUNCTION intake_source_of(api_key text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT s.code FROM intake_source s
    WHERE s.key_hash = encode(sha256(convert_to(coalesce(api_key, ''), 'UTF8')), 'hex') AND s.active
$$;

-- ---------------------------------------------------------------- attachments
-- Photos of a report back, in the database (backed up with it, never a path on a web server).
-- Only JPEG, PNG and WebP, at most 5 MB each, checked by their first bytes here and decoded by
-- the dashboard before they come.
CREATE TABLE case_attachment (
    id          bigserial PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    event_id    bigint NOT NULL REFERENCES case_event (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    mime        text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
    size        integer NOT NULL CHECK (size BETWEEN 1 AND 5242880),
    sha256      text NOT NULL,
    content     bytea NOT NULL,
    uploaded_by text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    CHECK (octet_length(content) = size),
    CHECK (CASE mime
               WHEN 'image/jpeg' THEN substring(content FROM 1 FOR 3) = '\xffd8ff'::bytea
               WHEN 'image/png' THEN substring(content FROM 1 FOR 8) = '\x89504e470d0a1a0a'::bytea
               ELSE substring(content FROM 1 FOR 4) = '\x52494646'::bytea AND substring(content FROM 9 FOR 4) = '\x57454250'::bytea
           END)
);
CREATE INDEX case_attachment_case_idx ON case_attachment (case_id);
CREATE INDEX case_attachment_event_idx ON case_attachment (event_id);
CREATE TRIGGER case_attachment_append_only BEFORE UPDATE OR DELETE ON case_attachment
    FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION audit.refuse_change();

-- Attach a photo to a report back the presented user made in this very transaction (at most 6).
CREATE FUNCTION case_attach(event_ref bigint, file_name text, file_mime text, file_content bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, auth AS $$
DECLARE
    who text;
    e case_event;
    new_id bigint;
BEGIN
    SELECT u.username INTO who FROM auth.presented_user() u;
    -- A report back made in this transaction (its time is not before the transaction's start).
    SELECT * INTO e FROM case_event x WHERE x.id = event_ref AND x.at >= now() AND x.action = 'report_back';
    IF who IS NULL OR e.id IS NULL OR e.actor <> who THEN
        PERFORM case_refuse('SMC03', 'photos go with a move of yours, in its transaction', '{"role": null}');
    END IF;
    IF (SELECT count(*) FROM case_attachment a WHERE a.event_id = event_ref) >= 6 THEN
        PERFORM case_refuse('SMC04', 'at most 6 photos a report', '{"field": "photos"}');
    END IF;
    INSERT INTO case_attachment (case_id, event_id, name, mime, size, sha256, content, uploaded_by)
    VALUES (e.case_id, event_ref, left(coalesce(nullif(btrim(file_name), ''), 'photo'), 200), file_mime,
            octet_length(file_content), encode(sha256(file_content), 'hex'), file_content, who)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;

-- A photo for whoever presents a session whose jurisdiction holds its case (placed or dispatched
-- there); no row otherwise.
CREATE FUNCTION case_photo(attachment bigint)
RETURNS TABLE (name text, mime text, content bytea, case_code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, auth AS $$
    SELECT a.name, a.mime, a.content, c.code
    FROM case_attachment a
    JOIN cases c ON c.id = a.case_id
    LEFT JOIN case_assignment p ON p.case_id = c.id
    WHERE a.id = attachment
      AND EXISTS (SELECT FROM auth.presented_user())
      AND coalesce(auth.session_whole() OR coalesce(p.grid_id, p.nearest_grid_id) = ANY (auth.session_grid_ids())
                   OR (c.assignee_kind = 'grid' AND c.assignee = ANY (auth.session_codes())), false)
$$;

-- ---------------------------------------------------------------- rounds (走访)
-- A grid worker's visit: a building (the daily round of households) or a key place (the weekly
-- visit). Key persons' homes are visited as their buildings: no person is named here.
CREATE TABLE grid_visit (
    id           bigserial PRIMARY KEY,
    grid_id      integer NOT NULL,
    building_id  integer REFERENCES building (id) ON DELETE CASCADE,
    key_place_id integer REFERENCES key_place (id) ON DELETE CASCADE,
    visited_at   timestamptz NOT NULL DEFAULT now(),
    worker       text NOT NULL,
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    CHECK ((building_id IS NULL) <> (key_place_id IS NULL))
);
CREATE INDEX grid_visit_grid_idx ON grid_visit (grid_id, visited_at);

-- Log a visit by the presented grid worker to a building or key place of their grid.
CREATE FUNCTION grid_visit_log(building_ref integer, place_ref integer, visit_note text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, auth AS $$
DECLARE
    who record;
    grid_ref integer;
    new_id bigint;
BEGIN
    SELECT u.username, u.role INTO who FROM auth.presented_user() u;
    IF who.username IS NULL OR who.role <> 'grid_worker' THEN
        PERFORM case_refuse('SMC03', 'grid workers log visits', jsonb_build_object('role', who.role, 'session', who.username IS NOT NULL));
    END IF;
    IF building_ref IS NOT NULL THEN
        SELECT b.grid_id INTO grid_ref FROM building_assignment b WHERE b.building_id = building_ref;
    ELSE
        SELECT g.id INTO grid_ref FROM key_place k JOIN grid_current g ON g.is_basic AND ST_Contains(g.geom, k.geom)
        WHERE k.id = place_ref LIMIT 1;
    END IF;
    IF grid_ref IS NULL OR NOT grid_ref = ANY (auth.session_grid_ids()) THEN
        PERFORM case_refuse('SMC04', 'no such building or key place in your grid', '{"field": "place"}');
    END IF;
    INSERT INTO grid_visit (grid_id, building_id, key_place_id, worker, note)
    VALUES (grid_ref, building_ref, place_ref, who.username, left(coalesce(visit_note, ''), 500))
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;

-- ---------------------------------------------------------------- the application's rights
REVOKE ALL ON intake_source, case_attachment, grid_visit FROM safety_map_app;
GRANT SELECT ON grid_visit TO safety_map_app;
GRANT SELECT (id, case_id, event_id, name, mime, size, uploaded_by, at) ON case_attachment TO safety_map_app;
REVOKE ALL ON FUNCTION case_intake(text, text, text, float8, float8, text, text, text, text),
    case_report_by_session(text, text, float8, float8, text), case_report_by_source(text, text, text, float8, float8, text),
    intake_source_of(text), case_attach(bigint, text, text, bytea), case_photo(bigint), grid_visit_log(integer, integer, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION case_report_by_session(text, text, float8, float8, text),
    case_report_by_source(text, text, text, float8, float8, text), intake_source_of(text),
    case_attach(bigint, text, text, bytea), case_photo(bigint), grid_visit_log(integer, integer, text)
    TO safety_map_app;
