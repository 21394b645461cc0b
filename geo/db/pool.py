"""A connection pool per process for the dashboard: gunicorn forks its workers after the app
is built, and a pool must not cross a fork, so each process opens its own on first use."""

import os
import threading

from psycopg_pool import ConnectionPool

from geo.settings import get_settings

_pools: dict[tuple[int, str], ConnectionPool] = {}
_lock = threading.Lock()


def get_pool(url: str) -> ConnectionPool:
    """The pool of this process for database `url` (opened on first use, at most 8 connections).

    Its connections show times in the configured zone, like `geo.db.connection.connect`.
    """
    key = (os.getpid(), url)
    with _lock:
        if key not in _pools:
            options = f"-c timezone={get_settings().timezone}"
            _pools[key] = ConnectionPool(
                url, min_size=1, max_size=8, kwargs={"options": options, "autocommit": True}, open=True
            )
        return _pools[key]
