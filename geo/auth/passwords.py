"""Password hashing with Argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile)."""

import base64

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import hash_secret

from geo.errors import UserError

MIN_LENGTH = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash of `password`, refused when it is too short or too long."""
    if not MIN_LENGTH <= len(password) <= 256:
        raise UserError(f"a password needs {MIN_LENGTH} to 256 characters", f"密码需 {MIN_LENGTH} 至 256 个字符")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash (False for a damaged hash, never an error)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
        parameters, salt = extract_parameters(DUMMY_HASH), b"\0" * 16
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


# Checking a password against this when the user does not exist takes as long as against a
# real one: the login's timing does not tell which usernames exist.
DUMMY_HASH = _hasher.hash("no such user, no such password")
