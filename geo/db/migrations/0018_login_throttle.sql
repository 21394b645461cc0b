-- The sign-in throttle (geo/auth/throttle.py): counters of failed sign-ins per account and
-- client address, per client address, and per account, each blocked for a growing time once
-- past its free failures. It replaces counting 'login.failed' entries of the audit log.
--
-- kind 'pair': (username, address); 'address': ('', address); 'account': (username, '').
-- The address is the client's (an IPv6 client's /64 network). Usernames are those typed in,
-- users or not, so the answer does not tell which exist.
CREATE TABLE auth.login_throttle (
    kind            text NOT NULL CHECK (kind IN ('pair', 'address', 'account')),
    username        text NOT NULL,
    address         text NOT NULL,
    failures        integer NOT NULL DEFAULT 0,
    last_failure_at timestamptz,
    blocked_until   timestamptz,
    -- The user's last successful sign-in from this address (pair rows only): an address
    -- known this way is spared the account's block.
    signed_in_at    timestamptz,
    PRIMARY KEY (kind, username, address)
);
CREATE INDEX login_throttle_forget_idx ON auth.login_throttle (last_failure_at);


-- The dashboard's role reads and writes the counters only through these functions, each
-- taking only what it needs: it cannot list which addresses a user signs in from, nor wipe
-- counters (migration 0017's rule for password hashes and sessions). `geo users unlock` runs
-- as the owner.
CREATE FUNCTION auth.throttle_wait(who text, place text, known_s integer) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    SELECT coalesce(ceil(extract(epoch FROM max(t.blocked_until) - now())), 0)::integer
    FROM auth.login_throttle t
    WHERE t.blocked_until > now()
      AND ((t.kind = 'pair' AND t.username = who AND t.address = place)
        OR (t.kind = 'address' AND t.username = '' AND t.address = place)
        OR (t.kind = 'account' AND t.username = who AND t.address = '' AND NOT EXISTS (
                SELECT FROM auth.login_throttle k
                WHERE k.kind = 'pair' AND k.username = who AND k.address = place
                  AND k.signed_in_at > now() - make_interval(secs => known_s))))
$$;

-- One more failure on one counter; one failure is forgiven per decay_s seconds without one,
-- so a shared address's occasional typos never add up to a block. Returns the failures.
CREATE FUNCTION auth.throttle_failed(counter text, who text, place text, decay_s double precision)
RETURNS integer LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    INSERT INTO auth.login_throttle AS t (kind, username, address, failures, last_failure_at)
    VALUES (counter, left(who, 40), left(place, 100), 1, now())
    ON CONFLICT (kind, username, address) DO UPDATE SET
        failures = 1 + greatest(0, t.failures - floor(
            extract(epoch FROM now() - coalesce(t.last_failure_at, now())) / decay_s)::integer),
        last_failure_at = now()
    RETURNING failures
$$;

CREATE FUNCTION auth.throttle_block(counter text, who text, place text, wait_s double precision)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    UPDATE auth.login_throttle SET blocked_until = now() + make_interval(secs => least(wait_s, 86400))
    WHERE kind = counter AND username = left(who, 40) AND address = left(place, 100)
$$;

-- Counters without a failure for forget_s seconds, and addresses not signed in from for
-- known_s seconds, are deleted: guessed usernames do not pile up.
CREATE FUNCTION auth.throttle_forget(forget_s integer, known_s integer) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    DELETE FROM auth.login_throttle
    WHERE (last_failure_at IS NULL OR last_failure_at < now() - make_interval(secs => greatest(forget_s, 3600)))
      AND (signed_in_at IS NULL OR signed_in_at < now() - make_interval(secs => greatest(known_s, 3600)))
$$;

-- A successful sign-in: the pair starts again and the address becomes known to the account.
-- The address's and the account's counters stay: a valid sign-in between guesses must not
-- buy more guesses. Only a sign-in that auth.sign_in opened in this same transaction counts
-- (a session created at this transaction's time), so the dashboard's role cannot make an
-- address known to a user by itself.
CREATE FUNCTION auth.throttle_succeeded(who text, place text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
    INSERT INTO auth.login_throttle AS t (kind, username, address, signed_in_at)
    SELECT 'pair', u.username, left(place, 100), now()
    FROM auth.app_user u JOIN auth.app_session s ON s.user_id = u.id
    WHERE u.username = who AND s.created_at >= now() AND s.revoked_at IS NULL
    LIMIT 1
    ON CONFLICT (kind, username, address) DO UPDATE SET failures = 0, blocked_until = NULL, signed_in_at = now()
$$;

REVOKE ALL ON FUNCTION auth.throttle_wait(text, text, integer), auth.throttle_failed(text, text, text, double precision),
    auth.throttle_block(text, text, text, double precision), auth.throttle_forget(integer, integer),
    auth.throttle_succeeded(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.throttle_wait(text, text, integer), auth.throttle_failed(text, text, text, double precision),
    auth.throttle_block(text, text, text, double precision), auth.throttle_forget(integer, integer),
    auth.throttle_succeeded(text, text) TO safety_map_app;

-- The throttle no longer counts the audit log's failed sign-ins.
DROP FUNCTION audit.recent_login_failures(text, integer);
