"""Who may run what, checked on the server for every request.

Every Dash callback is registered through `guarded(app, permission)`, which records the
permission of each output it registers. `check_callback` runs before Dash answers a
`/_dash-update-component` request: a callback with no recorded permission, or one the user's
role lacks, is refused (403) before any of its code runs. Where a callback then reads a unit,
a community or a draft named in the request, `dashboard/context.py` keeps it inside the user's
jurisdiction.
"""

import flask
import flask_login

from dashboard import callback_input
from dashboard.cache import remembered
from geo.audit.log import record
from geo.auth.jurisdiction import Jurisdiction, find_jurisdiction
from geo.auth.roles import allows
from geo.auth.sessions import use_session
from geo.auth.users import User
from geo.db.pool import get_pool

SIGNED_IN = "signed_in"  # any signed-in user: the page's frame, the language
CALLBACK_PATH = "_dash-update-component"
DATABASE_KEY = "SAFETY_MAP_DATABASE"  # in the Flask config: the URL the dashboard connects with
# In the Flask config: the owner's URL, for background work that acts for the whole database
# (the risk refresh after a boundary commit); the dashboard's role cannot open it.
OWNER_DATABASE_KEY = "SAFETY_MAP_OWNER_DATABASE"

# (the Dash app's path prefix, the callback's output key) -> permission
_permissions: dict[tuple[str, str], str] = {}
_apps: dict = {}  # the Dash app's path prefix -> the app, whose callbacks a request must match


class guarded:  # noqa: N801 - used like a function: guarded(app, MAP).callback(...)
    """`app` whose `callback` records `permission` for the outputs it registers; every other
    attribute is the app's own.

    Example:
        >>> safety_map.register(guarded(app, MAP), url)
    """

    def __init__(self, app, permission: str):
        self._app, self._permission = app, permission

    def callback(self, *args, **kwargs):
        _apps[self._app.config.routes_pathname_prefix] = self._app
        before = set(self._app.callback_map)
        register = self._app.callback(*args, **kwargs)  # Dash enters the callback here
        for key in set(self._app.callback_map) - before:
            _permissions[(self._app.config.routes_pathname_prefix, key)] = self._permission
        return register

    def __getattr__(self, name):
        return getattr(self._app, name)


def permission_of(prefix: str, output_key: str) -> str | None:
    """The permission recorded for a callback (None: never registered through `guarded`)."""
    return _permissions.get((prefix, output_key))


def check_callback(prefix: str) -> flask.Response | None:
    """Before a callback request under `prefix`: None to go on, or the refusal. Nobody's body
    is read before the sender is known to be signed in; a body that is not the envelope of
    the callback it names, with valid values, is refused (dashboard/callback_input.py)."""
    user = signed_in_user()
    if user is None:
        return flask.Response("sign in first", status=401, mimetype="text/plain")
    body = callback_input.read_body()
    if body is None:
        return callback_input.bad_request()
    output = body.get("output")
    permission = permission_of(prefix, output) if isinstance(output, str) else None
    if permission is None or (permission != SIGNED_IN and not allows(user.role, permission)):
        _record_denial(output)
        return flask.Response("not allowed", status=403, mimetype="text/plain")
    problem = callback_input.check_body(_apps[prefix].callback_map, body)
    if problem is not None:
        flask.current_app.logger.warning("callback request refused (400): %s", problem)  # the server's log only
        return callback_input.bad_request()
    return None


def signed_in_user() -> User | None:
    """The user of this request, None when nobody is signed in (or outside a request)."""
    if not flask.has_request_context():
        return None
    current = flask_login.current_user
    return current.user if current.is_authenticated else None


def session_token() -> str | None:
    """The session token of this request's user (what the database checks), None when nobody
    is signed in."""
    if signed_in_user() is None:
        return None
    return flask_login.current_user.token


def may(permission: str) -> bool:
    """Whether the user of this request has `permission`."""
    user = signed_in_user()
    return user is not None and (permission == SIGNED_IN or allows(user.role, permission))


def jurisdiction(conn) -> Jurisdiction | None:
    """The jurisdiction of this request's user (kept a short while per scope: it is a walk down
    the hierarchy); None when nobody is signed in."""
    user = signed_in_user()
    if user is None:
        return None
    key = (conn.info.host, conn.info.port, conn.info.dbname, user.scope_code, "jurisdiction")
    return remembered(key, lambda: find_jurisdiction(conn, user.scope_code))


def _record_denial(output) -> None:
    """Audited as the session's user; the database counts repeats within a minute as one entry
    whatever output they name (geo/audit/log.py), so a signed-in user cannot flood the log."""
    with get_pool(flask.current_app.config[DATABASE_KEY]).connection() as conn, conn.transaction():
        use_session(conn, session_token())
        record(conn, signed_in_user().username, "access.denied", flask.request.path, {"output": str(output)[:200]})
