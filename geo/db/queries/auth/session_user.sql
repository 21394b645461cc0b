-- The user of a live session (not revoked, not past its expiry, the user still active) and
-- how long the session has been idle; the idle limit depends on the role (geo/auth/sessions.py).
SELECT u.id, u.username, u.display_name, u.role, u.scope_code, now() - s.last_seen AS idle
FROM auth.app_session s JOIN auth.app_user u ON u.id = s.user_id
WHERE s.token_hash = %(token_hash)s
  AND s.revoked_at IS NULL
  AND s.expires_at > now()
  AND u.active
