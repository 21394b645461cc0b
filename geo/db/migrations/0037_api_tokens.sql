-- API tokens for the open geodata services (/ogc/, /tiles/): a session of kind 'api' of a user,
-- named, long-lived, never idle-limited, revocable, and counted. Being a session, a token
-- presents its user to row-level security exactly as the map's browser session does
-- (auth.use_session): the services see what the map shows that user, nothing else. Only the
-- token's SHA-256 is stored; the token itself is shown once, when it is made.
ALTER TABLE auth.app_session
    ADD COLUMN kind     text NOT NULL DEFAULT 'browser' CHECK (kind IN ('browser', 'api')),
    ADD COLUMN name     text CHECK ((kind = 'api') = (name IS NOT NULL) AND length(name) <= 60),
    ADD COLUMN token_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- how a token is named to revoke it
    ADD COLUMN requests bigint NOT NULL DEFAULT 0;

-- A request with an API token: its user when the token lives (a browser session's token is
-- not one), the request counted and last_seen noted.
CREATE FUNCTION auth.check_api_token(token text)
RETURNS TABLE (id integer, username text, display_name text, role text, scope_code text)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    WITH counted AS (
        UPDATE auth.app_session s SET requests = s.requests + 1, last_seen = now()
        WHERE s.token_hash = encode(sha256(convert_to(coalesce(token, ''), 'UTF8')), 'hex') AND s.kind = 'api'
          AND EXISTS (SELECT FROM auth.live_user(coalesce(token, '')))
        RETURNING 1
    )
    SELECT u.* FROM auth.live_user(coalesce(token, '')) u WHERE EXISTS (SELECT FROM counted)
$$;

REVOKE ALL ON FUNCTION auth.check_api_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.check_api_token(text) TO safety_map_app;

-- The outline of the presented session's jurisdiction (its area or grid; NULL for the whole
-- database or nobody): the services keep points (places, cameras) to it.
CREATE FUNCTION auth.session_outline() RETURNS geometry
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth, public AS $$
    SELECT coalesce(
        (SELECT a.geom FROM admin_area a WHERE a.code = u.scope_code),
        (SELECT g.geom FROM grid_current g WHERE g.code = u.scope_code))
    FROM auth.presented_user() u
$$;
REVOKE ALL ON FUNCTION auth.session_outline() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.session_outline() TO safety_map_app;

-- The browser's session check (migration 0017) takes browser sessions only: an API token is
-- no session for a cookie. (The cookie is signed by the server, so none could carry one: a
-- second lock on the same door.)
CREATE OR REPLACE FUNCTION auth.check_session(token text)
RETURNS TABLE (id integer, username text, display_name text, role text, scope_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
DECLARE
    live record;
    hashed text := encode(sha256(convert_to(coalesce(token, ''), 'UTF8')), 'hex');
BEGIN
    IF EXISTS (SELECT FROM auth.app_session s WHERE s.token_hash = hashed AND s.kind = 'api') THEN
        RETURN;
    END IF;
    SELECT * INTO live FROM auth.live_user(token) LIMIT 1;
    IF live.id IS NULL THEN
        RETURN;
    END IF;
    UPDATE auth.app_session s SET last_seen = now()
    WHERE s.token_hash = hashed AND s.last_seen < now() - interval '1 minute';
    RETURN QUERY SELECT live.id, live.username, live.display_name, live.role, live.scope_code;
END
$$;
