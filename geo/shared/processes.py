"""How many worker processes bulk work may start.

One (none of its own) unless a command line allows more: `run_command` (geo.cli) allows one
a core. A web server's request never starts processes: its workers and threads are counted
already, and a request's pool would outlive its timeout.
"""

import os

_allowed = 1


def allow_one_a_core() -> None:
    """Let bulk work in this process start a worker process a core (command lines only)."""
    global _allowed
    _allowed = os.cpu_count() or 1


def allowed() -> int:
    """The worker processes bulk work may start (1: work in this process)."""
    return _allowed
