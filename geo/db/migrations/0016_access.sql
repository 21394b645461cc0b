-- Access control, privacy and audit.
--
-- The dashboard connects as the role safety_map_app, which owns nothing: it may read and
-- edit the city's data, read key persons only through row-level security, and only append
-- to the audit log. Command-line tools keep connecting as the owner.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'safety_map_app') THEN
        CREATE ROLE safety_map_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- another database of the cluster created it at the same moment
END
$$;

-- ---------------------------------------------------------------- users and sessions
CREATE SCHEMA auth;

CREATE TABLE auth.app_user (
    id                  serial PRIMARY KEY,
    username            text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{2,40}$'),
    display_name        text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 60),
    role                text NOT NULL CHECK (role IN
                            ('wall', 'leader', 'grid_worker', 'planner', 'key_person_officer', 'admin')),
    -- The jurisdiction: an area code or a basic grid code; NULL is the whole database.
    scope_code          text,
    password_hash       text NOT NULL,
    active              boolean NOT NULL DEFAULT true,
    created_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

-- One row per login. The browser holds a random token; only its SHA-256 is stored, so a copy
-- of this table cannot be replayed as a cookie.
CREATE TABLE auth.app_session (
    token_hash text PRIMARY KEY,
    user_id    integer NOT NULL REFERENCES auth.app_user (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    user_agent text NOT NULL DEFAULT '',
    address    text NOT NULL DEFAULT ''
);
CREATE INDEX app_session_user_idx ON auth.app_session (user_id);

-- ---------------------------------------------------------------- the audit log
-- Append-only and hash-chained: each entry's hash covers its content and the previous hash,
-- so an edited, removed or inserted entry breaks the chain (`python -m geo audit verify`).
CREATE SCHEMA audit;
CREATE SEQUENCE audit.log_id_seq;

CREATE TABLE audit.log (
    id        bigint PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    target    text NOT NULL DEFAULT '',
    detail    jsonb NOT NULL DEFAULT '{}',
    prev_hash text NOT NULL,
    hash      text NOT NULL
);
CREATE INDEX audit_log_action_idx ON audit.log (action, at);

-- The text an entry's hash covers; geo/audit/chain.py computes the same. The free texts carry
-- their length, so that no '|' typed into a username can move a boundary between fields.
CREATE FUNCTION audit.entry_text(id bigint, at timestamptz, actor text, action text, target text, detail jsonb)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT id || '|' || (extract(epoch FROM at) * 1000000)::bigint
        || '|' || length(actor) || ':' || actor || '|' || length(action) || ':' || action
        || '|' || length(target) || ':' || target || '|' || detail::text
$$;

-- Entries are numbered and chained one at a time (the lock lasts until the inserting
-- transaction ends), so the order of ids is the order of the chain. Whatever the inserter
-- gave for id, time or hashes is replaced.
CREATE FUNCTION audit.chain_entry() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
DECLARE
    previous text;
BEGIN
    PERFORM pg_advisory_xact_lock(4118016);
    SELECT l.hash INTO previous FROM audit.log l ORDER BY l.id DESC LIMIT 1;
    NEW.id := nextval('audit.log_id_seq');
    NEW.at := clock_timestamp();
    NEW.prev_hash := coalesce(previous, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(
        NEW.prev_hash || '|' || audit.entry_text(NEW.id, NEW.at, NEW.actor, NEW.action, NEW.target, NEW.detail),
        'UTF8')), 'hex');
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit.log FOR EACH ROW EXECUTE FUNCTION audit.chain_entry();

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit.log
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit.log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- Failed logins of a user since its last successful one within a window: the login throttle
-- reads this without being able to read the log.
CREATE FUNCTION audit.recent_login_failures(who text, window_s integer) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
    SELECT count(*)::integer FROM audit.log
    WHERE action = 'login.failed' AND target = who
      AND at > greatest(now() - make_interval(secs => window_s),
                        coalesce((SELECT max(at) FROM audit.log WHERE action = 'login' AND actor = who), '-infinity'))
$$;

-- ---------------------------------------------------------------- row-level security
-- The dashboard sets the user's jurisdiction at the start of every transaction with
-- set_config(..., true): 'safety_map.scope' is 'all' (the whole database) or 'area', then
-- 'safety_map.grid_ids' (the basic grids inside) and 'safety_map.codes' (their codes and the
-- areas' codes). Unset means nothing is visible. Command-line tools act for the whole
-- database (geo.db.connection.connect sets 'all' for their session).
CREATE FUNCTION sensitive.scope_all() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('safety_map.scope', true), '') = 'all'
$$;
CREATE FUNCTION sensitive.scope_grid_ids() RETURNS integer[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('safety_map.grid_ids', true), ''), '{}')::integer[]
$$;
CREATE FUNCTION sensitive.scope_codes() RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('safety_map.codes', true), ''), '{}')::text[]
$$;

ALTER TABLE sensitive.key_person ENABLE ROW LEVEL SECURITY;
ALTER TABLE sensitive.key_person FORCE ROW LEVEL SECURITY;
CREATE POLICY key_person_whole_database ON sensitive.key_person
    USING (sensitive.scope_all()) WITH CHECK (sensitive.scope_all());
CREATE POLICY key_person_in_jurisdiction ON sensitive.key_person FOR SELECT
    USING (building_id IN (SELECT a.building_id FROM public.building_assignment a
                           WHERE a.grid_id = ANY (sensitive.scope_grid_ids())));

ALTER TABLE sensitive.risk_key_population ENABLE ROW LEVEL SECURITY;
ALTER TABLE sensitive.risk_key_population FORCE ROW LEVEL SECURITY;
CREATE POLICY risk_key_population_whole_database ON sensitive.risk_key_population
    USING (sensitive.scope_all()) WITH CHECK (sensitive.scope_all());
CREATE POLICY risk_key_population_in_jurisdiction ON sensitive.risk_key_population FOR SELECT
    USING (code = ANY (sensitive.scope_codes()));

-- The categories are a public code list, but the schema's rule holds for every table.
ALTER TABLE sensitive.key_person_category ENABLE ROW LEVEL SECURITY;
ALTER TABLE sensitive.key_person_category FORCE ROW LEVEL SECURITY;
CREATE POLICY key_person_category_read ON sensitive.key_person_category FOR SELECT USING (true);
CREATE POLICY key_person_category_whole_database ON sensitive.key_person_category
    USING (sensitive.scope_all()) WITH CHECK (sensitive.scope_all());

-- Counts for the map's key-person tables, the same for every viewer: complementary
-- suppression (geo/map/suppression.py) needs the counts of the whole hierarchy, whoever looks.
-- Counts per basic grid and category only, never a person; the dashboard hides small ones
-- before anything leaves the server. It reads as the owner with the scope 'all' for its own
-- duration (the SET clause), so the policies above still bind every other query.
CREATE FUNCTION sensitive.key_person_counts()
RETURNS TABLE (grid text, category text, persons bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, sensitive
SET safety_map.scope = 'all'
AS $$
    SELECT g.code, k.category_code, count(*)
    FROM public.grid_current g
    JOIN public.building_assignment b ON b.grid_id = g.id
    JOIN sensitive.key_person k ON k.building_id = b.building_id
    WHERE g.is_basic AND k.active
    GROUP BY 1, 2
$$;
REVOKE ALL ON FUNCTION sensitive.key_person_counts() FROM PUBLIC;

-- A view runs with its owner's rights, and the owner may bypass row-level security: this one
-- must check the rights of whoever reads it.
ALTER VIEW sensitive.key_person_located SET (security_invoker = true);

-- ---------------------------------------------------------------- the application's rights
GRANT USAGE ON SCHEMA public, basemap, geocode, sensitive, auth, audit TO safety_map_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, geocode TO safety_map_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public, geocode TO safety_map_app;
GRANT SELECT ON ALL TABLES IN SCHEMA basemap TO safety_map_app;
REVOKE INSERT, UPDATE, DELETE ON public.schema_migrations, public.import_log FROM safety_map_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO safety_map_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO safety_map_app;

GRANT SELECT ON sensitive.key_person, sensitive.key_person_category, sensitive.key_person_located
    TO safety_map_app;
-- Risk scores are computed again after a boundary commit, by the dashboard.
GRANT SELECT, INSERT, DELETE ON sensitive.risk_key_population TO safety_map_app;

GRANT SELECT ON auth.app_user TO safety_map_app;
GRANT SELECT, INSERT, UPDATE ON auth.app_session TO safety_map_app;

GRANT INSERT ON audit.log TO safety_map_app;
GRANT EXECUTE ON FUNCTION audit.recent_login_failures(text, integer) TO safety_map_app;
GRANT EXECUTE ON FUNCTION sensitive.key_person_counts() TO safety_map_app;
REVOKE ALL ON FUNCTION audit.chain_entry() FROM PUBLIC;
