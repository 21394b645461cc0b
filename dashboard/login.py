"""Sign-in, sign-out and the gate in front of every page and request.

Flask-Login keeps the signed-in user; the Flask session cookie (signed, HttpOnly, SameSite=Lax)
holds only a random session token, and the database decides on every request whether that
session still lives (geo/auth/sessions.py): logout, expiry, idle time, revocation and a
disabled user all end it on the server. Failed sign-ins are throttled per account and client
address (geo/auth/throttle.py), and their rate and the password checks running at once are
bounded before any hashing (dashboard/login_limits.py).
"""

import secrets
import time
from urllib.parse import urlencode, urlsplit

import flask
import flask_login
import psycopg
from flask.sessions import SecureCookieSessionInterface
from psycopg_pool import PoolTimeout

from dashboard import access
from dashboard.login_limits import BUSY_RETRY_S, PASSWORD_CHECKS, client_address, protect_sign_in
from dashboard.login_page import login_html
from geo.audit.log import record
from geo.auth import throttle
from geo.auth.roles import BOUNDARIES, CASE_DESK, DATA, OVERVIEW, PHONE, WALL
from geo.auth.sessions import close_session, session_user, sign_in
from geo.auth.users import User
from geo.db.pool import get_pool
from geo.settings import PROJECT_ROOT, get_settings

# The session check on every request.
QUICK_CHECK_S = 0.25  # the wall polls every second: a database that is gone must not hold it up
BUSY_CHECK_S = 30.0
OUTAGE_GRACE_S = 15 * 60
MAX_REMEMBERED = 10_000
_DOWN = object()
_last_answers: dict[str, tuple[float, User | None]] = {}  # session token -> (when, its user)
# Paths anyone may fetch: the sign-in page and code and styles that are the same for everyone.
# /open311/: other systems post and read with an API key, which the database checks.
PUBLIC_PREFIXES = (
    "/assets/",
    "/_dash-component-suites/",
    "/wall/assets/",
    "/wall/_dash-component-suites/",
    "/open311/",
    "/ogc/",  # API tokens, checked by the service itself (dashboard/ogc.py)
    "/tiles/",  # the same service's vector tiles
)
PUBLIC_PATHS = ("/login", "/favicon.ico", "/ogc")
# Pages that need more than being signed in (their callbacks are checked as well).
# A page path, and the path below it, for users with the permission only.
PAGE_PERMISSIONS = (
    ("/wall", WALL), ("/boundaries", BOUNDARIES), ("/overview", OVERVIEW), ("/cases", CASE_DESK), ("/m", PHONE),
    ("/data", DATA),
)  # fmt: skip


# Answers that are the same for every signed-in user, kept by the browser (private, max-age).
SAME_FOR_ALL_PREFIXES = ("/map/tiles/",)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that an answer the same for every signed-in user
    (a basemap tile) does not vary by the cookie. The gate reads the session, so Flask added
    `Vary: Cookie`, and the browser kept no tile it could reuse: a touring wall asked the
    server for 980 tiles a minute (`python -m bench.wall`)."""

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if flask.request.path.startswith(SAME_FOR_ALL_PREFIXES) and response.status_code == 200:
            response.vary = [value for value in response.vary if value.lower() != "cookie"]


class SignedIn(flask_login.UserMixin):
    """Flask-Login's user: ours plus the session token, which is what the cookie carries."""

    def __init__(self, user: User, token: str):
        self.user, self.token = user, token

    def get_id(self) -> str:
        return self.token


def setup_login(server: flask.Flask, url: str) -> None:
    """Sign-in at /login, sign-out at /logout (POST), and the gate, on `server`."""
    settings = get_settings()
    server.secret_key = settings.secret_key or _kept_secret_key()
    server.session_interface = SessionInterface()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="safety_map_session",
    )
    server.config[access.DATABASE_KEY] = url
    protect_sign_in(server)
    manager = flask_login.LoginManager(server)
    manager.user_loader(lambda token: _load_user(url, token))
    server.add_url_rule("/login", "login", lambda: _login(url), methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", lambda: _logout(url), methods=["POST"])
    server.before_request(_gate)


def _load_user(url: str, token: str) -> SignedIn | None:
    """The session's user, asked of the database. While the database cannot be reached, the
    answer it last gave for this session (at most OUTAGE_GRACE_S old) stands: nothing can be
    read then anyway, and the wall screen's callbacks must run, quickly, to say that its data
    is stale. A pool that is only busy is waited for."""
    pool = get_pool(url)
    try:
        user = _ask(pool, token, QUICK_CHECK_S)
    except PoolTimeout:
        user = _ask(pool, token, BUSY_CHECK_S) if _all_in_use(pool) else _DOWN
    except psycopg.OperationalError:
        user = _DOWN
    if user is _DOWN:
        checked_at, user = _last_answers.get(token, (0.0, None))
        return SignedIn(user, token) if user and time.monotonic() - checked_at < OUTAGE_GRACE_S else None
    if len(_last_answers) > MAX_REMEMBERED:
        _last_answers.clear()
    _last_answers[token] = (time.monotonic(), user)
    return SignedIn(user, token) if user else None


def _all_in_use(pool) -> bool:
    """Whether the pool is at its size with every connection lent out: busy, not cut off (a
    pool below its size that could not lend one in time could not open one: about 10 ms when
    the database answers)."""
    stats = pool.get_stats()
    return stats.get("pool_size", 0) >= stats.get("pool_max", 1) and stats.get("pool_available", 0) == 0


def _ask(pool, token: str, timeout_s: float):
    with pool.connection(timeout=timeout_s) as conn:
        return session_user(conn, token)


def _gate():
    path = flask.request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if path.endswith(access.CALLBACK_PATH):
        return access.check_callback(path[: -len(access.CALLBACK_PATH)])
    if access.signed_in_user() is None:
        if flask.request.method == "GET" and "/_dash-" not in path and not path.startswith("/map/"):
            return flask.redirect("/login?" + urlencode({"next": flask.request.full_path.rstrip("?")}))
        return flask.Response("sign in first", status=401, mimetype="text/plain")
    for page, permission in PAGE_PERMISSIONS:
        below = path == page or path.startswith(page + "/")
        if below and "/_dash-" not in path and not access.may(permission):
            return flask.redirect("/")
    return None


def _login(url: str):
    form, lang = flask.request.form, _language()
    if flask.request.method == "GET":
        return _page(lang)
    if not secrets.compare_digest(form.get("csrf", ""), flask.session.get("login_csrf", "-")):
        return _page(lang, "expired"), 400
    username, password = form.get("username", "").strip()[:40], form.get("password", "")[:256]
    with PASSWORD_CHECKS.place() as placed:
        if not placed:
            return _refused(BUSY_RETRY_S, "busy")
        with get_pool(url).connection() as conn, conn.transaction():
            signed, problem, wait_s = _check(conn, username, password, client_address())
            if problem == "throttled":
                record(conn, "anonymous", "login.failed", username, {"reason": problem, **_client()})
    if problem == "throttled":
        return _refused(wait_s)
    if problem:
        return _page(lang, "wrong"), 401
    user, token = signed
    flask.session.pop("login_csrf", None)
    flask_login.login_user(SignedIn(user, token))
    return flask.redirect(_in_language(_next_page(user), lang))


def _check(conn, username: str, password: str, address: str) -> tuple[tuple[User, str] | None, str | None, int]:
    """((the user, the session's token), None, 0) for a good sign-in, else (None, why refused,
    seconds to wait). A throttled attempt is refused before its password is hashed; a wrong one
    is counted. The database compares the password's hash, opens the session and audits the
    sign-in or its failure (geo/auth/sessions.py)."""
    throttle.hold(conn, username)
    wait_s = throttle.wait_s(conn, username, address)
    if wait_s:
        return None, "throttled", wait_s
    signed = sign_in(conn, username, password, hash_with=PASSWORD_CHECKS.hash_like, **_client())
    if signed is None:
        return None, "wrong", throttle.note_failure(conn, username, address)
    throttle.note_success(conn, username, address)
    return signed, None, 0


def _refused(wait_s: int, problem: str = "throttled") -> flask.Response:
    """429: the form again, saying to wait, and how long in Retry-After."""
    response = _page(_language(), problem)
    response.status_code = 429
    response.headers["Retry-After"] = str(wait_s)
    return response


def _logout(url: str):
    current = flask_login.current_user
    if current.is_authenticated:
        with get_pool(url).connection() as conn, conn.transaction():
            close_session(conn, current.token)
    flask_login.logout_user()
    flask.session.clear()
    return flask.redirect("/login")


def _page(lang: str, problem: str | None = None) -> flask.Response:
    token = flask.session.setdefault("login_csrf", secrets.token_urlsafe(24))
    next_page = flask.request.values.get("next", "")
    return flask.Response(login_html(lang, token, _safe_next(next_page) or "", problem), mimetype="text/html")


def _next_page(user: User) -> str:
    wanted = _safe_next(flask.request.form.get("next", ""))
    if wanted:
        return wanted
    if user.role == "wall":
        return "/wall/" + (f"?scope={user.scope_code}" if user.scope_code else "")
    return "/"


def _in_language(path: str, lang: str) -> str:
    """The page to open after signing in, in the language the sign-in page was in: every page
    takes its language from `lang=` in its address (dashboard/state.py)."""
    if lang == "zh" or "lang=" in path:
        return path
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


def _safe_next(value: str) -> str | None:
    """A path on this server, never another site: printable ASCII without spaces (a tab or
    newline would be dropped from the Location header, `/\t/evil` becoming `//evil`), no
    backslash, no scheme or host, one leading slash."""
    if not value or len(value) > 2000 or any(not "!" <= ch <= "~" for ch in value) or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return None
    return value


def _language() -> str:
    return "en" if flask.request.values.get("lang") == "en" else "zh"


def _client() -> dict:
    return {
        "user_agent": flask.request.headers.get("User-Agent", "")[:300],
        "address": flask.request.remote_addr or "",
    }


def _kept_secret_key() -> str:
    """A random key made once and kept in <checkout>/.secret_key, readable by this user only,
    so that a restart or another worker keeps everyone signed in."""
    path = PROJECT_ROOT / ".secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()
