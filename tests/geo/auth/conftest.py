"""Users with a jurisdiction and their live sessions, for tests that read as the dashboard's role."""

import psycopg

from geo.auth.sessions import sign_in
from geo.auth.users import save_user
from geo.db.connection import app_database_url, connect


def open_test_session(url: str, username: str, role: str, scope_code: str | None) -> str:
    """Create (or replace) the user and sign it in as the dashboard's role; returns the token."""
    password = f"test-password-{username}"
    with connect(url, autocommit=True) as owner:
        save_user(owner, username, username, role, scope_code, password, "tests")
    with psycopg.connect(app_database_url(url), autocommit=True) as app, app.transaction():
        signed = sign_in(app, username, password)
    assert signed is not None, f"{username} could not sign in"
    return signed[1]
