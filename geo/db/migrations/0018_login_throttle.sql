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

GRANT SELECT, INSERT, UPDATE, DELETE ON auth.login_throttle TO safety_map_app;
