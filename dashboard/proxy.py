"""Debian's nginx in front of the dashboard's gunicorn, started by `python -m dashboard` as a
foreground child: it listens where the dashboard listens (SAFETY_MAP_DASH_HOST/PORT) and passes
requests to gunicorn on a Unix socket in a private run directory, which no other user can
reach (so no one can talk to gunicorn past the proxy and name their own address).

In nginx, at C speed, before any Python: sign-in attempts (POST /login) are limited per
client address and in total, connections per client address, and a refusal answers 429 with
Retry-After; the request body is bounded. The Python limits (dashboard/login_limits.py) stay
behind it as the second line, and see the client's address that nginx passes on
(X-Forwarded-For, which nginx sets itself, so a client cannot choose it).

Example:
    >>> with running(settings, nginx_binary()) as socket_path:
    ...     serve_gunicorn_on(f"unix:{socket_path}")
"""

import grp
import html
import math
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from limits import parse

from dashboard.callback_input import MAX_ITEMS, MAX_TEXT, PHOTO_URL_CHARS
from dashboard.i18n import text
from dashboard.login_limits import REFUSED_PAGE
from geo.loop.photos import MAX_PHOTOS
from geo.shared.processes import die_with_parent

TEMPLATE = Path(__file__).with_name("nginx.conf.in")
# Connections one client address may hold open: a browser opens six, an office behind one
# address has many browsers.
CONNECTIONS_PER_ADDRESS = 64
# The largest body a callback may carry: MAX_ITEMS values of MAX_TEXT characters, each up to
# three bytes in UTF-8, or a report back's photos as data: URLs (callback_input refuses anything
# larger when it reads it).
BODY_LIMIT_MB = max(math.ceil(3 * MAX_ITEMS * MAX_TEXT / 2**20), math.ceil(MAX_PHOTOS * PHOTO_URL_CHARS / 2**20)) + 1
# Open311 requests one client address may send: 50 a second sustained (over four million a
# day), bursts of up to 2,000 queued rather than refused.
OPEN311_RATE, OPEN311_BURST = "50r/s", 2000
START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 10
WILDCARD = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # where to knock to see it listen


def nginx_binary() -> str | None:
    """The nginx program, also where a normal user's PATH lacks /usr/sbin; None when missing."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.access(found, os.X_OK) else None


def missing_warning() -> str:
    return (
        "warning: nginx is not installed: serving gunicorn directly, without the proxy's limits on "
        "sign-in attempts and connections (install it: scripts/install-system-deps.sh proxy, as root)"
    )


def config(settings, run_dir: Path) -> str:
    """The nginx configuration for `settings` (listen address, trusted proxies, sign-in rates)
    with its files in `run_dir`."""
    rate_client, burst_client = nginx_rate(settings.proxy_login_rate_per_address)
    rate_all, burst_all = nginx_rate(settings.proxy_login_rate_total)
    values = {
        "user": _user_line(),
        "run": str(run_dir),
        "socket": str(run_dir / "gunicorn.sock"),
        "listen": _listen(settings.dash_host, settings.dash_port),
        "client_map": _client_map(settings.trusted_proxies),
        "forwarded_for": "$proxy_add_x_forwarded_for" if settings.trusted_proxies else "$remote_addr",
        "rate_client": rate_client,
        "burst_client": str(burst_client),
        "rate_all": rate_all,
        "burst_all": str(burst_all),
        "connections": str(CONNECTIONS_PER_ADDRESS),
        "body": f"{BODY_LIMIT_MB}m",
        "rate_open311": OPEN311_RATE,
        "burst_open311": str(OPEN311_BURST),
        "retry_after": str(max(1, math.ceil(60 / _per_minute(settings.proxy_login_rate_per_address)))),
        "page": _refused_page(),
    }
    text_ = TEMPLATE.read_text()
    for name, value in values.items():
        text_ = text_.replace(f"@{name}@", value)
    return text_


def nginx_rate(limit: str) -> tuple[str, int]:
    """nginx's `rate` and `burst` for a limit in Flask-Limiter's notation: "30 per minute" is
    30r/m with a burst of 30 (a window's worth at once, then evenly spread)."""
    item = parse(limit)
    if item.get_expiry() == 1:
        return f"{item.amount}r/s", item.amount
    return f"{max(1, round(_per_minute(limit)))}r/m", item.amount


def _per_minute(limit: str) -> float:
    item = parse(limit)
    return item.amount * 60 / item.get_expiry()


def _user_line() -> str:
    """As root, nginx's workers run as www-data (Debian's web server user), else as this user."""
    if os.geteuid() != 0:
        return ""
    user, group = _worker_user()
    return f"user {user} {group};"


def _worker_user() -> tuple[str, str]:
    for user, group in (("www-data", "www-data"), ("nobody", "nogroup")):
        try:
            pwd.getpwnam(user), grp.getgrnam(group)
            return user, group
        except KeyError:
            continue
    raise RuntimeError("neither www-data nor nobody exists to run nginx's workers")


def _listen(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _client_map(trusted: int) -> str:
    """With `trusted` proxies in front, the address the farthest appended: the trusted-th
    entry of X-Forwarded-For from its end."""
    if not trusted:
        return ""
    return f'"~(?:^|,)\\s*([^,\\s]+)\\s*(?:,[^,]*){{{trusted - 1}}}$" $1;'


def _refused_page() -> str:
    """The page Python's limits answer with (dashboard/login_limits.py), as an nginx string."""
    page = REFUSED_PAGE.format(
        title=html.escape(text("login_title", "zh")),
        zh=html.escape(text("login_throttled", "zh")),
        en=html.escape(text("login_throttled", "en")),
        again=html.escape(text("login_submit", "zh") + " · " + text("login_submit", "en")),
    )
    if "$" in page or "\\" in page:
        raise ValueError("the refused page holds $ or \\, which nginx reads in a string")
    return page.replace("'", "\\'").replace("\n", " ")


@contextmanager
def running(settings, nginx: str) -> Iterator[Path]:
    """nginx started for `settings`, answering at the dashboard's address; yields the Unix
    socket gunicorn is to listen on. Stops nginx and removes the run directory afterwards
    (in this process only: gunicorn's workers, forked inside, leave through here too)."""
    run_dir = _run_directory()
    owner = os.getpid()
    (run_dir / "nginx.conf").write_text(config(settings, run_dir))
    process = subprocess.Popen(
        [nginx, "-p", str(run_dir), "-c", str(run_dir / "nginx.conf"), "-e", "stderr"],
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # a process group of its own, stopped as one
        preexec_fn=die_with_parent,
    )
    stopping = threading.Event()
    try:
        _wait_until_listening(process, settings.dash_host, settings.dash_port)
        threading.Thread(target=_watch, args=(process, stopping), daemon=True).start()
        yield run_dir / "gunicorn.sock"
    finally:
        if os.getpid() == owner:
            stopping.set()
            _stop(process)
            shutil.rmtree(run_dir, ignore_errors=True)


def _run_directory() -> Path:
    """A new directory only this user can enter; as root, nginx's worker group may pass through
    it to the socket."""
    run_dir = Path(tempfile.mkdtemp(prefix="safety-map-proxy-"))
    if os.geteuid() == 0:
        os.chown(run_dir, 0, grp.getgrnam(_worker_user()[1]).gr_gid)
        run_dir.chmod(0o750)
    return run_dir


def _wait_until_listening(process: subprocess.Popen, host: str, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx did not start (exit status {process.returncode}); see its message above")
        try:
            socket.create_connection((WILDCARD.get(host, host), port), 1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {host}:{port} within {START_TIMEOUT_S} s")


def _watch(process: subprocess.Popen, stopping: threading.Event) -> None:
    """Should nginx end by itself, this process ends too (SIGTERM: gunicorn stops gracefully)
    rather than serve where no one can reach it."""
    while not stopping.wait(1):
        if process.poll() is not None:  # also when gunicorn's arbiter has reaped it
            print("nginx has stopped: stopping the dashboard", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)
            return


def _stop(process: subprocess.Popen) -> None:
    """Fast shutdown (SIGTERM) of nginx's process group: its master and workers, also workers
    left behind by a master that died (gunicorn's arbiter may already have reaped it)."""
    _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _signal_group(process, 0) and time.monotonic() < deadline:
        process.poll()  # the master, once it has ended (else it stays as a zombie of ours)
        time.sleep(0.05)
    if _signal_group(process, signal.SIGKILL):
        process.wait()


def _signal_group(process: subprocess.Popen, number: int) -> bool:
    """Send signal `number` to nginx's process group; False when none of it is left."""
    try:
        os.killpg(process.pid, number)
        return True
    except ProcessLookupError:
        return False
