"""Password hashing with Argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile)."""

import base64
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError
from argon2.low_level import hash_secret
from argon2.profiles import get_default_parameters

from geo.errors import UserError

MIN_LENGTH = 10
# The parameters of new hashes; an unusable salt record is hashed with them too, so that its
# answer takes as long as a real user's (the timing does not tell which usernames exist).
PARAMETERS = get_default_parameters()
_hasher = PasswordHasher.from_parameters(PARAMETERS)


def hash_password(password: str) -> str:
    """The Argon2id hash of `password`, refused when it is too short or too long."""
    if not MIN_LENGTH <= len(password) <= 256:
        raise UserError(f"a password needs {MIN_LENGTH} to 256 characters", f"密码需 {MIN_LENGTH} 至 256 个字符")
    return _hasher.hash(password)


def hash_like(blanked: str, password: str) -> str:
    """The encoded Argon2 hash of `password` with the parameters and salt of `blanked`, an
    encoded hash whose hash is blanked out (auth.password_salt): the stored hash when the
    password is the one it was made from. An unusable `blanked` gives a hash that matches
    nothing, after the same time.

    Example:
        >>> stored = hash_password("correct horse"); hash_like(stored[:-43] + "A" * 43, "correct horse") == stored
        True
    """
    try:
        parameters = extract_parameters(blanked)
        salt_b64 = blanked.split("$")[-2]
        salt = base64.b64decode(salt_b64 + "=" * (-len(salt_b64) % 4), validate=True)
    except (InvalidHashError, ValueError, IndexError):
        parameters, salt = PARAMETERS, b"\0" * 16
    encoded = hash_secret(
        password.encode(),
        salt,
        time_cost=parameters.time_cost,
        memory_cost=parameters.memory_cost,
        parallelism=parameters.parallelism,
        hash_len=parameters.hash_len,
        type=parameters.type,
        version=parameters.version,
    )
    return encoded.decode()


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


class PasswordChecks:
    """The password checks of one server process: at most `running` at a time, in background
    threads at a lower CPU priority (nice `niceness`), and at most `waiting` more in line.
    Argon2 takes about a third of a second and all cores (parallelism 4): without a bound,
    a flood of sign-ins starves every signed-in user's requests.

    >>> checks = PasswordChecks()
    >>> with checks.place() as placed:
    ...     placed and checks.hash_like("no salt record", "a guess").startswith("$argon2id$")
    True
    """

    def __init__(self, running: int = 1, waiting: int = 2, niceness: int = 10):
        self.running, self.niceness = running, niceness
        self._places = threading.BoundedSemaphore(running + waiting)
        self._executor: tuple[int, ThreadPoolExecutor] | None = None  # (its process, it)

    @contextmanager
    def place(self) -> Iterator[bool]:
        """Whether a check may run now (True) or must be refused without hashing (False: all
        places taken); the place is held until the block ends."""
        placed = self._places.acquire(blocking=False)
        try:
            yield placed
        finally:
            if placed:
                self._places.release()

    def hash_like(self, blanked: str, password: str) -> str:
        """hash_like in a background thread (inside a place): the sign-in's one hashing."""
        return self._pool().submit(lambda: hash_like(blanked, password)).result()

    def _pool(self) -> ThreadPoolExecutor:
        # gunicorn forks its workers after the app is built: threads do not cross a fork.
        if self._executor is None or self._executor[0] != os.getpid():
            pool = ThreadPoolExecutor(self.running, "password-check", initializer=self._lower_priority)
            self._executor = (os.getpid(), pool)
        return self._executor[1]

    def _lower_priority(self) -> None:
        # Linux keeps a nice value per thread, and Argon2's own threads inherit this one's.
        with suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), self.niceness)
