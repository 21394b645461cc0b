-- Access bound to a live session, and repeated audit entries counted, not repeated.
--
-- Until 0016 the dashboard's role set the row-level-security scope itself
-- (set_config('safety_map.scope', ...)), so whoever held its connection could set 'all'; it
-- could also read password hashes, edit sessions and write audit entries for anyone. Now:
-- * a transaction presents a session token (auth.use_session). Every time a policy is
--   evaluated it looks the token's SHA-256 up among the live sessions and reads the
--   jurisdiction of that session's user (auth.session_whole, _grid_ids, _codes), so a wider
--   scope needs the token of a live session of a wider user;
-- * 'safety_map.scope' = 'all' opens the whole database only to roles with the privileges of
--   the table's owner (the command line, imports, functions that run as the owner), never to
--   safety_map_app;
-- * the dashboard's role reads no password hash and no session row: signing in, checking,
--   closing a session and writing to the audit log go through the functions below, which
--   take only what they need. An audit entry's actor is the presented session's user.
-- * a repeat of an audit entry within a minute of its first occurrence is counted in
--   audit.repeat and written to the chain as one summary entry afterwards (audit.add).

-- ---------------------------------------------------------------- sessions
-- The idle limit is the session's own (NULL: none, for wall screens), so that the database
-- can tell an idle session from a live one without the dashboard's settings.
ALTER TABLE auth.app_session ADD COLUMN idle_limit interval DEFAULT interval '60 minutes';
UPDATE auth.app_session s SET idle_limit = NULL FROM auth.app_user u WHERE u.id = s.user_id AND u.role = 'wall';

-- The user of the live session whose token is `token` (not revoked, not expired, not idle
-- too long, the user active), or no row.
CREATE FUNCTION auth.live_user(token text)
RETURNS TABLE (id integer, username text, display_name text, role text, scope_code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    SELECT u.id, u.username, u.display_name, u.role, u.scope_code
    FROM auth.app_session s JOIN auth.app_user u ON u.id = s.user_id
    WHERE s.token_hash = encode(sha256(convert_to(token, 'UTF8')), 'hex')
      AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active
      AND (s.idle_limit IS NULL OR s.last_seen > now() - s.idle_limit)
$$;

-- The user of the session this transaction presents (auth.use_session), or no row.
CREATE FUNCTION auth.presented_user()
RETURNS TABLE (id integer, username text, display_name text, role text, scope_code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    SELECT * FROM auth.live_user(coalesce(current_setting('safety_map.token', true), ''))
$$;

-- Present a session for the rest of the transaction; returns whether it lives. Setting the
-- token by hand does the same and gains nothing: the policies check it every time.
CREATE FUNCTION auth.use_session(token text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
BEGIN
    PERFORM set_config('safety_map.token', coalesce(token, ''), true);
    RETURN EXISTS (SELECT FROM auth.live_user(coalesce(token, '')));
END
$$;

-- A session's check on each request: its user when it lives, and last_seen noted (at most
-- once a minute). A dead session is not touched, so a check cannot bring it back.
CREATE FUNCTION auth.check_session(token text)
RETURNS TABLE (id integer, username text, display_name text, role text, scope_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
DECLARE
    live record;
BEGIN
    SELECT * INTO live FROM auth.live_user(token) LIMIT 1;
    IF live.id IS NULL THEN
        RETURN;
    END IF;
    UPDATE auth.app_session s SET last_seen = now()
    WHERE s.token_hash = encode(sha256(convert_to(token, 'UTF8')), 'hex') AND s.last_seen < now() - interval '1 minute';
    RETURN QUERY SELECT live.id, live.username, live.display_name, live.role, live.scope_code;
END
$$;

-- Logout: the session is revoked and the logout audited as its user's.
CREATE FUNCTION auth.close_session(token text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
DECLARE
    who text;
BEGIN
    SELECT u.username INTO who FROM auth.live_user(token) u;
    IF who IS NULL THEN
        RETURN;
    END IF;
    UPDATE auth.app_session SET revoked_at = now()
    WHERE token_hash = encode(sha256(convert_to(token, 'UTF8')), 'hex') AND revoked_at IS NULL;
    PERFORM audit.add(who, 'logout', '', '{}');
END
$$;

-- ---------------------------------------------------------------- signing in
-- Argon2 runs in the dashboard, which knows the typed password; the database compares. This
-- gives a user's encoded hash with the hash itself blanked out ('A's of its length): the
-- parameters and salt, so that the dashboard can hash the typed password the same way. An
-- unknown user gets made-up ones, the same each time, and the dashboard spends the same time.
CREATE FUNCTION auth.password_salt(typed_name text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    SELECT coalesce(
        (SELECT regexp_replace(u.password_hash, '\$[^$]*$', '')
                || '$' || repeat('A', length(substring(u.password_hash FROM '[^$]*$')))
         FROM auth.app_user u WHERE u.username = typed_name),
        '$argon2id$v=19$m=65536,t=3,p=4$'
            || rtrim(encode(substr(sha256(convert_to('unknown user|' || typed_name, 'UTF8')), 1, 16), 'base64'), '=')
            || '$' || repeat('A', 43)
    )
$$;

-- Sign in: `proof` is the encoded Argon2 hash of the typed password with the user's salt and
-- parameters (auth.password_salt). When it is the stored hash and the user is active, a
-- session with the token `new_token` (stored hashed) is opened, the sign-in audited and the
-- user returned; otherwise the failure is audited and no row returned. Without the password
-- no proof can be made, so the dashboard's role cannot open a session for anyone. (Guesses
-- sent here directly pass the dashboard's throttle; each costs the guesser an Argon2 hash
-- and is audited as a failed sign-in.)
CREATE FUNCTION auth.sign_in(
    typed_name text, proof text, new_token text, hours integer, wall_hours integer, idle_minutes integer,
    client_agent text, client_address text
)
RETURNS TABLE (id integer, username text, display_name text, role text, scope_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
DECLARE
    account auth.app_user;
    client jsonb := jsonb_build_object('user_agent', left(client_agent, 300), 'address', left(client_address, 100));
BEGIN
    SELECT * INTO account FROM auth.app_user u WHERE u.username = typed_name;
    IF account.id IS NULL OR NOT account.active OR account.password_hash IS DISTINCT FROM proof THEN
        PERFORM audit.add('anonymous', 'login.failed', left(typed_name, 40), jsonb_build_object('reason', 'wrong') || client);
        RETURN;
    END IF;
    INSERT INTO auth.app_session (token_hash, user_id, expires_at, idle_limit, user_agent, address)
    VALUES (
        encode(sha256(convert_to(new_token, 'UTF8')), 'hex'), account.id,
        now() + make_interval(hours => CASE WHEN account.role = 'wall' THEN wall_hours ELSE hours END),
        CASE WHEN account.role = 'wall' THEN NULL ELSE make_interval(mins => idle_minutes) END,
        left(client_agent, 300), left(client_address, 100)
    );
    PERFORM audit.add(account.username, 'login', '', client);
    RETURN QUERY SELECT account.id, account.username, account.display_name, account.role, account.scope_code;
END
$$;

-- ---------------------------------------------------------------- jurisdictions
-- What a jurisdiction holds: `jurisdiction_code` is an admin area or a basic grid. One row per code
-- inside it (the area itself, the areas below it, their current basic grids), with the
-- grid's id for grids. The walk follows admin_area's parent links, with a depth cap against
-- a cycle in imported links. geo/auth/jurisdiction.py reads the same.
CREATE FUNCTION auth.jurisdiction(jurisdiction_code text) RETURNS TABLE (code text, grid_id integer)
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    WITH RECURSIVE areas (id, code, depth) AS (
        SELECT a.id, a.code, 0 FROM admin_area a WHERE a.code = jurisdiction_code
        UNION ALL
        SELECT a.id, a.code, areas.depth + 1
        FROM areas JOIN admin_area a ON a.parent_id = areas.id
        WHERE areas.depth < 8
    )
    SELECT areas.code, NULL::integer FROM areas
    UNION ALL
    SELECT g.code, g.id FROM areas JOIN grid g ON g.community_id = areas.id AND g.valid_to IS NULL AND g.is_basic
    UNION ALL
    SELECT g.code, g.id FROM grid_current g
    WHERE g.code = jurisdiction_code AND g.is_basic
      AND NOT EXISTS (SELECT FROM admin_area a WHERE a.code = jurisdiction_code)
$$;

-- The presented session's jurisdiction: the whole database (no scope, or the one area at the
-- top), else its basic grids' ids and its codes. No live session: nothing.
CREATE FUNCTION auth.session_whole() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth, public AS $$
    SELECT coalesce((
        SELECT u.scope_code IS NULL
            OR ARRAY[u.scope_code] = (SELECT array_agg(a.code) FROM admin_area a WHERE a.parent_id IS NULL)
        FROM auth.presented_user() u
    ), false)
$$;
CREATE FUNCTION auth.session_grid_ids() RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    SELECT coalesce(array_agg(j.grid_id), '{}')
    FROM auth.presented_user() u, auth.jurisdiction(u.scope_code) j WHERE j.grid_id IS NOT NULL
$$;
CREATE FUNCTION auth.session_codes() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    SELECT coalesce(array_agg(j.code), '{}') FROM auth.presented_user() u, auth.jurisdiction(u.scope_code) j
$$;

-- ---------------------------------------------------------------- row-level security
-- Runs with the reader's rights (current_user is the reader): 'all' counts for a role with
-- the privileges of the table's owner only.
CREATE FUNCTION sensitive.scope_all(guarded regclass) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT (coalesce(current_setting('safety_map.scope', true), '') = 'all'
            AND pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = guarded), 'USAGE'))
        OR auth.session_whole()
$$;

-- Each function call is a scalar subquery, evaluated once per query, not once per row.
DROP POLICY key_person_whole_database ON sensitive.key_person;
DROP POLICY key_person_in_jurisdiction ON sensitive.key_person;
CREATE POLICY key_person_whole_database ON sensitive.key_person
    USING ((SELECT sensitive.scope_all('sensitive.key_person')))
    WITH CHECK ((SELECT sensitive.scope_all('sensitive.key_person')));
CREATE POLICY key_person_in_jurisdiction ON sensitive.key_person FOR SELECT
    USING (building_id IN (SELECT a.building_id FROM public.building_assignment a
                           WHERE a.grid_id = ANY ((SELECT auth.session_grid_ids())::integer[])));

DROP POLICY risk_key_population_whole_database ON sensitive.risk_key_population;
DROP POLICY risk_key_population_in_jurisdiction ON sensitive.risk_key_population;
CREATE POLICY risk_key_population_whole_database ON sensitive.risk_key_population
    USING ((SELECT sensitive.scope_all('sensitive.risk_key_population')))
    WITH CHECK ((SELECT sensitive.scope_all('sensitive.risk_key_population')));
CREATE POLICY risk_key_population_in_jurisdiction ON sensitive.risk_key_population FOR SELECT
    USING (code = ANY ((SELECT auth.session_codes())::text[]));

DROP POLICY key_person_category_whole_database ON sensitive.key_person_category;
CREATE POLICY key_person_category_whole_database ON sensitive.key_person_category
    USING ((SELECT sensitive.scope_all('sensitive.key_person_category')))
    WITH CHECK ((SELECT sensitive.scope_all('sensitive.key_person_category')));

DROP FUNCTION sensitive.scope_all(), sensitive.scope_grid_ids(), sensitive.scope_codes();

-- ---------------------------------------------------------------- the audit log
-- Repeats being counted: one row per actor, action and key (what makes two entries the same,
-- audit.repeat_key) while the first entry of the run is less than a minute old.
CREATE TABLE audit.repeat (
    actor    text NOT NULL,
    action   text NOT NULL,
    key      text NOT NULL,  -- md5 of the key target and key text
    target   text NOT NULL,
    first_id bigint NOT NULL,  -- the run's first entry, written to the chain at once
    first_at timestamptz NOT NULL,
    last_at  timestamptz NOT NULL,
    times    integer NOT NULL DEFAULT 1,  -- the first entry included
    variants jsonb NOT NULL DEFAULT '[]',  -- up to 10 of the names that were left out of the key
    PRIMARY KEY (actor, action, key)
);
CREATE INDEX audit_repeat_first_at_idx ON audit.repeat (first_at);

-- What makes two entries repeats. Exact repeats for most actions; where a caller can make a
-- name up, the name is no part of the key (it is kept among the run's variants instead):
-- refused callbacks are one run per path whatever output they name, failed sign-ins one run
-- per account when it exists, else per client address, whatever username was typed.
CREATE FUNCTION audit.repeat_key(
    action text, target text, detail jsonb, OUT key_target text, OUT key_text text, OUT variant text
) LANGUAGE plpgsql STABLE SET search_path = pg_catalog, audit, auth AS $$
BEGIN
    IF action = 'access.denied' THEN
        key_target := target;
        key_text := '';
        variant := left(coalesce(detail ->> 'output', ''), 200);
    ELSIF action LIKE 'login.%' THEN
        key_target := CASE WHEN EXISTS (SELECT FROM auth.app_user u WHERE u.username = target) THEN target ELSE '' END;
        key_text := coalesce(detail ->> 'address', '') || '|' || coalesce(detail ->> 'reason', '');
        variant := CASE WHEN key_target = '' THEN left(target, 40) ELSE '' END;
    ELSE
        key_target := target;
        key_text := detail::text;
        variant := '';
    END IF;
END
$$;

-- A closed run in the chain: nothing for a run of one, else one summary entry
-- {"repeats_of": its first entry's id, "times": n, "last_at", and "variants" when names were
-- left out of its key}.
CREATE FUNCTION audit.summarise(run audit.repeat) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
BEGIN
    IF run.times > 1 THEN
        INSERT INTO audit.log (actor, action, target, detail) VALUES (
            run.actor, run.action, run.target,
            jsonb_build_object('repeats_of', run.first_id, 'times', run.times, 'last_at', run.last_at)
                || CASE WHEN run.variants = '[]' THEN '{}' ELSE jsonb_build_object('variants', run.variants) END
        );
    END IF;
END
$$;

-- Close the runs whose minute is over (all of them with `everything`) and write their
-- summaries; returns how many runs were closed. A run another transaction is counting at
-- this moment is left for the next time (no waiting on it, so no deadlock).
CREATE FUNCTION audit.flush(everything boolean DEFAULT false) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
DECLARE
    run audit.repeat;
    closed integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(4118016);  -- the chain's lock (audit.chain_entry)
    FOR run IN
        DELETE FROM audit.repeat r WHERE (r.actor, r.action, r.key) IN (
            SELECT o.actor, o.action, o.key FROM audit.repeat o
            WHERE everything OR o.first_at <= clock_timestamp() - interval '1 minute'
            FOR UPDATE SKIP LOCKED)
        RETURNING *
    LOOP
        closed := closed + 1;
        PERFORM audit.summarise(run);
    END LOOP;
    RETURN closed;
END
$$;

-- Append an entry, in the caller's transaction: the first of a run goes to the chain at once,
-- a repeat within a minute of it only counts (its summary follows when the minute is over).
-- Every audit write goes through here; the dashboard's role reaches it only through
-- audit.record, which names the actor itself.
CREATE FUNCTION audit.add(entry_actor text, entry_action text, entry_target text, entry_detail jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
DECLARE
    keyed record;
    run_key text;
    run audit.repeat;
    new_id bigint;
    new_at timestamptz;
BEGIN
    entry_target := coalesce(entry_target, '');
    entry_detail := coalesce(entry_detail, '{}');
    SELECT * INTO keyed FROM audit.repeat_key(entry_action, entry_target, entry_detail);
    run_key := md5(keyed.key_target || '|' || keyed.key_text);
    FOR attempt IN 1..2 LOOP
        -- The second time under the chain's lock: a run another transaction began meanwhile is seen.
        UPDATE audit.repeat r
        SET times = r.times + 1, last_at = clock_timestamp(),
            variants = CASE WHEN keyed.variant = '' OR r.variants ? keyed.variant OR jsonb_array_length(r.variants) >= 10
                            THEN r.variants ELSE r.variants || to_jsonb(keyed.variant) END
        WHERE r.actor = entry_actor AND r.action = entry_action AND r.key = run_key
          AND r.first_at > clock_timestamp() - interval '1 minute';
        IF FOUND THEN
            RETURN;
        END IF;
        EXIT WHEN attempt = 2;
        PERFORM audit.flush();  -- takes the lock, and closes the runs that are over
    END LOOP;
    -- This key's own run, over but still being counted elsewhere when flush passed it by.
    FOR run IN
        DELETE FROM audit.repeat r WHERE r.actor = entry_actor AND r.action = entry_action AND r.key = run_key
        RETURNING *
    LOOP
        PERFORM audit.summarise(run);
    END LOOP;
    INSERT INTO audit.log (actor, action, target, detail) VALUES (entry_actor, entry_action, entry_target, entry_detail)
    RETURNING id, at INTO new_id, new_at;
    INSERT INTO audit.repeat (actor, action, key, target, first_id, first_at, last_at, variants)
    VALUES (entry_actor, entry_action, run_key, keyed.key_target, new_id, new_at, new_at,
            CASE WHEN keyed.variant = '' THEN '[]' ELSE jsonb_build_array(keyed.variant) END);
END
$$;

-- The one way the dashboard's role writes to the log. As that role the actor is the user of
-- the presented session (the `actor` given is ignored); with no live session only sign-in
-- events are taken, as 'anonymous' (the typed username is their target). A role with the
-- privileges of the log's owner (the command line) names the actor itself.
CREATE FUNCTION audit.record(actor text, action text, target text, detail jsonb) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit, auth AS $$
DECLARE
    who text;
BEGIN
    IF pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = 'audit.log'::regclass), 'USAGE') THEN
        PERFORM audit.add(actor, action, target, detail);
        RETURN;
    END IF;
    SELECT u.username INTO who FROM auth.presented_user() u;
    IF who IS NULL AND action LIKE 'login.%' THEN
        who := 'anonymous';
    ELSIF who IS NULL THEN
        RAISE EXCEPTION 'an audit entry needs a live session' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM audit.add(who, action, left(coalesce(target, ''), 200), coalesce(detail, '{}') - 'repeats_of');
END
$$;

-- Every occurrence the log stands for: an entry once, a summary for its further times, a run
-- not yet written for its repeats so far.
CREATE VIEW audit.occurrences AS
    SELECT l.actor, l.action, l.target, l.at, 1 AS times FROM audit.log l WHERE NOT l.detail ? 'repeats_of'
    UNION ALL
    SELECT l.actor, l.action, l.target, (l.detail ->> 'last_at')::timestamptz, (l.detail ->> 'times')::integer - 1
    FROM audit.log l WHERE l.detail ? 'repeats_of'
    UNION ALL
    SELECT r.actor, r.action, r.target, r.last_at, r.times - 1 FROM audit.repeat r WHERE r.times > 1;

-- ---------------------------------------------------------------- the application's rights
-- The policies' functions stay open to every role the policies bind (they tell a role only
-- the jurisdiction of a session whose token it presents).
REVOKE SELECT ON auth.app_user FROM safety_map_app;
REVOKE ALL ON auth.app_session FROM safety_map_app;
REVOKE INSERT ON audit.log FROM safety_map_app;

REVOKE ALL ON FUNCTION auth.live_user(text), auth.presented_user(), auth.use_session(text),
    auth.check_session(text), auth.close_session(text), auth.password_salt(text),
    auth.sign_in(text, text, text, integer, integer, integer, text, text),
    audit.flush(boolean), audit.summarise(audit.repeat), audit.add(text, text, text, jsonb),
    audit.record(text, text, text, jsonb)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.use_session(text), auth.check_session(text), auth.close_session(text),
    auth.password_salt(text), auth.sign_in(text, text, text, integer, integer, integer, text, text),
    auth.session_whole(), auth.session_grid_ids(), auth.session_codes(), auth.jurisdiction(text),
    sensitive.scope_all(regclass), audit.record(text, text, text, jsonb)
    TO safety_map_app;
