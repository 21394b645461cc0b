"""The map's answers for areas, kept a short while in each worker process. An area's figures
aggregate thousands of cases (the top of a province: 74,000 in a month, about a second of
database time); when fifty leaders open it, it is computed once per worker per period, not
fifty times. Grids and below are cheap and always fresh. The period is the setting
`map_cache_s` (0 turns the cache off)."""

import threading
import time

from geo.settings import get_settings

MAX_ENTRIES = 512
_entries: dict = {}
_lock = threading.Lock()


def remembered(key: tuple, compute):
    """compute(), or its result for the same key computed less than `map_cache_s` ago."""
    period = get_settings().map_cache_s
    if period <= 0:
        return compute()
    now = time.monotonic()
    with _lock:
        hit = _entries.get(key)
    if hit is not None and now - hit[0] < period:
        return hit[1]
    value = compute()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now, value)
    return value
