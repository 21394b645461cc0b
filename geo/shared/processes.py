"""How many worker processes bulk work may start, and helpers' lives tied to their starter's.

One (none of its own) unless a command line allows more: `run_command` (geo.cli) allows one
a core. A web server's request never starts processes: its workers and threads are counted
already, and a request's pool would outlive its timeout.
"""

import ctypes
import os
import signal
from contextlib import suppress

PR_SET_PDEATHSIG = 1

_allowed = 1


def allow_one_a_core() -> None:
    """Let bulk work in this process start a worker process a core (command lines only)."""
    global _allowed
    _allowed = os.cpu_count() or 1


def allowed() -> int:
    """The worker processes bulk work may start (1: work in this process)."""
    return _allowed


def die_with_parent() -> None:
    """In a child before it starts its program (Popen's preexec_fn): the kernel ends it when
    its parent dies, even killed without a chance to stop it."""
    with suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
