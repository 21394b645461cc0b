"""A connection pool per process for the dashboard: gunicorn forks its workers after the app
is built, and a pool must not cross a fork, so each process opens its own on first use."""

import os
import threading

from psycopg_pool import ConnectionPool

from geo.db.connection import session_options

_pools: dict[tuple[int, str], ConnectionPool] = {}
_lock = threading.Lock()


def get_pool(url: str, min_size: int = 1) -> ConnectionPool:
    """The pool of this process for database `url` (opened on first use, at most 8 connections;
    `min_size` of them kept open, counted only when this call opens the pool).

    Its connections have the settings of `geo.db.connection.connect` (time zone, no JIT), and
    price random reads as the SSDs they run on do.
    """
    key = (os.getpid(), url)
    with _lock:
        if key not in _pools:
            # random_page_cost 1.1 (PostgreSQL's default of 4 assumes spinning disks): with it
            # the planner reads a city's grids of a province through the (grid, date) index,
            # 34 ms, instead of scanning every placement, 190 ms (measured).
            options = f"{session_options()} -c random_page_cost=1.1"
            # Each connection is checked as it is handed out: after a database restart the
            # pool's old connections are broken, and a page must get a new one, not an error.
            # A failed connect is retried for 2 s only, then the next request tries afresh:
            # psycopg_pool's default retries for 5 minutes with a doubling delay, and a wall
            # would come back up to a minute after its database did.
            _pools[key] = ConnectionPool(
                url,
                min_size=min_size,
                max_size=8,
                kwargs={"options": options, "autocommit": True, "connect_timeout": 5},
                check=ConnectionPool.check_connection,
                reconnect_timeout=2.0,
                open=True,
            )
        return _pools[key]
