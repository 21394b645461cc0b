"""What stands before a password check: the client's address (through trusted proxies only),
the rate of failed sign-ins per address and in total (the `limits` library, Flask-Limiter's
core, kept in each worker's memory), and the number of checks running at once
(geo/auth/passwords.PasswordChecks). An attempt refused here answers 429 at once: no
database, no hashing.

The rate limits are checked in front of Flask, as WSGI middleware: a refusal then costs a
dictionary look-up instead of a Flask request (session, hooks, headers, page), so that a flood
of refused attempts leaves the workers to the signed-in users."""

import html
import math
import time

import flask
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.i18n import text
from geo.auth.passwords import PasswordChecks
from geo.auth.throttle import client_key
from geo.settings import get_settings

# One check at a time per worker process, two more waiting: a worker's other threads stay free
# for the signed-in users' requests.
PASSWORD_CHECKS = PasswordChecks(running=1, waiting=2)
BUSY_RETRY_S = 2
EVERYONE = "*"  # the key of the total limit (no client address is "*")
REFUSED_PAGE = (
    '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>\n'
    '<body><p>{zh}</p><p lang="en">{en}</p><p><a href="/login">{again}</a></p></body></html>\n'
)
REFUSED_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
]


def client_address() -> str:
    """The address the request's sign-in attempts are counted under (geo/auth/throttle.py)."""
    return client_key(flask.request.remote_addr or "")


def protect_sign_in(server: flask.Flask) -> None:
    """The rate limits in front of `server`'s sign-in form."""
    settings = get_settings()
    server.wsgi_app = SignInLimits(server.wsgi_app, settings.login_rate_per_address, settings.login_rate_total)


def trust_proxies(server: flask.Flask, own_proxy: bool) -> None:
    """Behind the trusted proxies (call it last, so that everything sees the client): with n
    of them (SAFETY_MAP_TRUSTED_PROXIES, plus the dashboard's own nginx when `own_proxy`), the
    client's address is the one the n-th proxy from the server appended to X-Forwarded-For;
    with none the header is ignored, so a client cannot name itself someone else."""
    count = get_settings().trusted_proxies + own_proxy
    if count:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count)


class SignInLimits:
    """WSGI middleware: failed sign-ins counted per client address and in total, in fixed
    windows; while either is used up, POST /login answers 429 without reaching the app. An
    address's count takes every attempt the app did not let in (400, 401, and its own 429s:
    throttled or no place free), the total only the passwords checked and forms refused (400,
    401), so that a flooding address does not use up everyone's total by being refused. Good
    sign-ins count nowhere: a room of colleagues signing in is not held up by the limits."""

    def __init__(self, app, per_address: str, total: str):
        self.app = app
        self.windows = FixedWindowRateLimiter(MemoryStorage())
        self.per_address, self.total = parse(per_address), parse(total)
        self.page = REFUSED_PAGE.format(
            title=html.escape(text("login_title", "zh")),
            zh=html.escape(text("login_throttled", "zh")),
            en=html.escape(text("login_throttled", "en")),
            again=html.escape(text("login_submit", "zh") + " · " + text("login_submit", "en")),
        ).encode()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/login" or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        address = client_key(environ.get("REMOTE_ADDR") or "")
        for limit, key in ((self.per_address, address), (self.total, EVERYONE)):
            if not self.windows.test(limit, key):
                wait_s = max(1, math.ceil(self.windows.get_window_stats(limit, key).reset_time - time.time()))
                start_response("429 Too Many Requests", [*REFUSED_HEADERS, ("Retry-After", str(wait_s))])
                return [self.page]

        def counting(status: str, headers, exc_info=None):
            if status[:3] in ("400", "401", "429"):
                self.windows.hit(self.per_address, address)
            if status[:3] in ("400", "401"):
                self.windows.hit(self.total, EVERYONE)
            return start_response(status, headers, exc_info)

        return self.app(environ, counting)
