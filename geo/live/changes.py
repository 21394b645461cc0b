"""What tells a wall that something came in: PostgreSQL's LISTEN/NOTIFY (migration 0036), heard
by one connection per server process and handed out as a stamp.

A wall asks for the stamp every few hundred milliseconds (`/wall/changes`, a lookup in this
process, no query of the cases) and runs its look (geo/live/wall.py) only when the stamp moved:
a new case reaches the wall a fraction of a second after its commit, where a look every second
took up to a second and a half. While the listening connection is lost, `live` is False; the
wall then looks at once (and so says when the database is gone), and again when it is back.

Example:
    >>> listener_for(url).state()        # {"stamp": "1796688181000000", "live": True}

Each worker's thread holds one connection of its own, outside the pool.
"""

import contextlib
import threading
import time

import psycopg

from geo.db.connection import session_options

CHANNEL = "safety_map_cases"
# A stamp is the database's clock in microseconds (the notices' payload is the same): walls
# take a larger stamp than any they have seen as news, whichever worker answered.
NOW_STAMP = "SELECT (extract(epoch FROM clock_timestamp()) * 1e6)::bigint::text"
RETRY_S = 1.0  # between attempts to listen again after the connection was lost
CONNECT_TIMEOUT_S = 2
APPLICATION_NAME = "safety-map wall listener"  # as pg_stat_activity shows it
WAKE_S = 5.0  # how often the listening thread looks up from its wait (a dead socket is noticed then at the latest)
IDLE_S = 30.0  # nobody asked this long: the thread lets its connection go (and starts again when asked)

_listeners: dict[str, "ChangeListener"] = {}
_listeners_lock = threading.Lock()


def listener_for(url: str) -> "ChangeListener":
    """The process's listener on database `url` (its thread starts when asked: after a server
    forks its workers, each listens on a connection of its own)."""
    with _listeners_lock:
        return _listeners.setdefault(url, ChangeListener(url))


class ChangeListener:
    """A daemon thread that listens on CHANNEL while walls ask, and keeps the latest stamp."""

    def __init__(self, url: str):
        self.url = url
        self.stamp = "0"
        self.live = False
        self._asked_at = time.monotonic()
        self._running = False
        self._lock = threading.Lock()

    def state(self) -> dict:
        """{"stamp", "live"}: the latest notice's stamp and whether the listening goes on."""
        self._asked_at = time.monotonic()
        with self._lock:
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="case-changes", daemon=True).start()
        return {"stamp": self.stamp, "live": self.live}

    def _advance(self, stamp: str) -> None:
        """Move the stamp forward, never back: a notice carries the clock of its statement, and
        a transaction that committed after a later-stamped one still brings news. A payload
        that is no number (anyone may NOTIFY the channel) is news all the same."""
        given = int(stamp) if stamp.isascii() and stamp.isdigit() and len(stamp) < 20 else 0
        self.stamp = str(max(int(self.stamp) + 1, given))

    def _wanted(self) -> bool:
        return time.monotonic() - self._asked_at < IDLE_S

    def _run(self) -> None:
        try:
            while self._wanted():
                with contextlib.suppress(psycopg.Error):  # the database is away: said by `live`, tried again
                    self._listen()
                self.live = False
                if self._wanted():
                    time.sleep(RETRY_S)
        finally:
            with self._lock:
                self._running = False

    def _listen(self) -> None:
        # TCP keepalives: a connection cut without a word (a network gone) is found out in
        # seconds, not after the kernel's quarter of an hour.
        settings = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": APPLICATION_NAME, "keepalives": 1,
                    "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2, "tcp_user_timeout": 10_000}  # fmt: skip
        with psycopg.connect(self.url, autocommit=True, options=session_options(), **settings) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            # Whatever happened while nobody listened is unknown: a later stamp makes every wall look.
            self._advance(conn.execute(NOW_STAMP).fetchone()[0])
            self.live = True
            while self._wanted():
                for notice in conn.notifies(timeout=WAKE_S):
                    self._advance(notice.payload)
                conn.execute("SELECT 1")  # a connection cut without a word is found out here
