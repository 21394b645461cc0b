"""The map's answers for areas, kept a short while in each worker process. An area's figures
aggregate thousands of cases (the top of a province: 74,000 in a month, about a second of
database time); when fifty leaders open it, it is computed once per worker per period, not
fifty times. Grids and below are cheap and always fresh. The period is the setting
`map_cache_s` (0 turns the cache off).

Requests for the same key that arrive while it is being computed wait for that computation
instead of starting their own (the load test's fifty leaders all open the city at once)."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from geo.settings import get_settings

MAX_ENTRIES = 512
_entries: dict = {}
_lock = threading.Lock()
_computing: dict = {}


def remembered(key: tuple, compute):
    """compute(), or its result for the same key computed less than `map_cache_s` ago."""
    period = get_settings().map_cache_s
    if period <= 0:
        return compute()
    with one_at_a_time(key):
        with _lock:
            hit = _entries.get(key)
        if hit is not None and time.monotonic() - hit[0] < period:
            return hit[1]
        value = compute()
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (time.monotonic(), value)
        return value


@contextmanager
def one_at_a_time(key) -> Iterator[None]:
    """Hold the lock of `key` in this process: one thread computes, the others wait for it."""
    with _lock:
        entry = _computing.setdefault(key, [threading.Lock(), 0])
        entry[1] += 1
    try:
        with entry[0]:
            yield
    finally:
        with _lock:
            entry[1] -= 1
            if entry[1] == 0:
                del _computing[key]
