"""What stands before a password check: the client's address (through trusted proxies only),
the rate of failed sign-ins per address and in total (Flask-Limiter, kept in each worker's
memory), and the number of checks running at once (geo/auth/passwords.PasswordChecks). An
attempt refused here answers 429 at once: no database, no hashing."""

import math
import time
from collections.abc import Callable

import flask
from flask_limiter import Limiter, RequestLimit
from werkzeug.middleware.proxy_fix import ProxyFix

from geo.auth.passwords import PasswordChecks
from geo.auth.throttle import client_key
from geo.settings import get_settings

# One check at a time per worker process, two more waiting: a worker's other threads stay free
# for the signed-in users' requests.
PASSWORD_CHECKS = PasswordChecks(running=1, waiting=2)
BUSY_RETRY_S = 2
ALL_SIGN_INS = "all sign-ins"


def client_address() -> str:
    """The address the request's sign-in attempts are counted under (geo/auth/throttle.py)."""
    return client_key(flask.request.remote_addr or "")


def trust_proxies(server: flask.Flask) -> None:
    """With SAFETY_MAP_TRUSTED_PROXIES = n > 0, the client's address is the one the n-th proxy
    from the server appended to X-Forwarded-For; by default the header is ignored, so a client
    cannot name itself someone else."""
    proxies = get_settings().trusted_proxies
    if proxies:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=proxies)


def limit_sign_ins(server: flask.Flask, view: Callable, refuse: Callable[[int], flask.Response]) -> Callable:
    """`view` (the sign-in form) with the limits of failed attempts per client address and in
    total; an attempt over a limit gets `refuse(seconds to wait)`. Only failed attempts count:
    a room of colleagues signing in is never held up by the limits themselves."""
    settings = get_settings()

    def breached(limit: RequestLimit) -> flask.Response:
        return refuse(max(1, math.ceil(limit.reset_at - time.time())))

    limiter = Limiter(client_address, app=server, storage_uri="memory://", on_breach=breached, headers_enabled=False)
    per_address = limiter.limit(settings.login_rate_per_address, methods=["POST"], deduct_when=_failed)
    total = limiter.shared_limit(
        settings.login_rate_total, ALL_SIGN_INS, key_func=lambda: ALL_SIGN_INS, methods=["POST"], deduct_when=_failed
    )
    return total(per_address(view))


def _failed(response: flask.Response) -> bool:
    """A password checked and found wrong (401) or a form refused (400). A refused attempt
    (429) costs nothing, or one flooding address would use up everyone's total."""
    return response.status_code in (400, 401)
