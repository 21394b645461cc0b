"""Password hashing with Argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


# Checking a password against this when the user does not exist takes as long as against a
# real one: the login's timing does not tell which usernames exist.
DUMMY_HASH = _hasher.hash("no such user, no such password")
