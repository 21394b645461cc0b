"""The sign-in throttle: failed sign-ins counted per account and client address, per client
address, and per account, each refusing further attempts for a growing time once past its free
failures (auth.login_throttle, migration 0018; the dashboard's role reaches it only through
the functions auth.throttle_*, the command line's unlock runs as the owner).

The pair (username, address) grows fast: one person guessing one account from one place. The
address grows fast too but allows more: one place guessing many usernames. The account grows
slowly and is capped low, as a last resort against guesses from many places, and an address the
user signed in from recently is spared it: someone elsewhere can delay the user's sign-ins
from a new place by minutes at most, and cannot keep the user out from where it works. Counters
forgive a failure per quiet period, and `python -m geo users unlock` clears them.
"""

import ipaddress
import math
from dataclasses import dataclass

import psycopg

from geo.db.connection import load_query

# Attempts on one username wait for each other until the transaction that records them ends.
LOCK_USERNAME = "SELECT pg_advisory_xact_lock(4118017, hashtext(%s))"
KNOWN_ADDRESS_S = 90 * 86400  # a successful sign-in makes an address known for this long
FORGET_S = 86400  # counters quiet this long have forgiven everything: deleted
IPV6_PREFIX = 64  # one IPv6 client holds a whole /64: it is counted as one address


@dataclass(frozen=True)
class Rule:
    """How one counter grows: the first `free` failures cost nothing; failure `free + k` then
    blocks for `first_s * growth ** (k - 1)` seconds, at most `most_s`; one failure is forgiven
    per `decay_s` seconds without one."""

    kind: str
    free: int
    first_s: float
    growth: float
    most_s: float
    decay_s: float


PAIR = Rule("pair", free=5, first_s=2, growth=2, most_s=3600, decay_s=15 * 60)
ADDRESS = Rule("address", free=20, first_s=1, growth=2, most_s=3600, decay_s=5 * 60)
ACCOUNT = Rule("account", free=30, first_s=1, growth=1.25, most_s=300, decay_s=5 * 60)


def delay_s(rule: Rule, failures: int) -> float:
    """Seconds a counter with `failures` refuses attempts after its latest failure.

    >>> [delay_s(PAIR, n) for n in (5, 6, 7, 8)]
    [0, 2, 4, 8]
    """
    if failures <= rule.free:
        return 0
    steps = failures - rule.free - 1
    if steps * math.log(rule.growth) > math.log(rule.most_s / rule.first_s):
        return rule.most_s
    return min(rule.most_s, rule.first_s * rule.growth**steps)


def client_key(address: str) -> str:
    """The address a client's attempts are counted under: an IPv4 address as it is, an IPv6
    address as its /64 network (its holder has all of it), anything else as given (cut)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:100]
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))


def hold(conn: psycopg.Connection, username: str) -> None:
    """Make other sign-ins of `username` wait until this transaction ends: a burst of parallel
    guesses is counted as it comes, not all let through."""
    conn.execute(LOCK_USERNAME, [username])


def wait_s(conn: psycopg.Connection, username: str, address: str) -> int:
    """Seconds until a sign-in of `username` from `address` (a client_key) may be checked; 0:
    now. The longest block of the pair, the address and (unless the user signed in from
    there lately) the account."""
    return conn.execute("SELECT auth.throttle_wait(%s, %s, %s)", [username, address, KNOWN_ADDRESS_S]).fetchone()[0]


def note_failure(conn: psycopg.Connection, username: str, address: str) -> int:
    """Count a failed sign-in on its pair, address and account counters, blocking those past
    their free failures; returns the wait now in force for the pair (as wait_s)."""
    for rule, user, place in ((PAIR, username, address), (ADDRESS, "", address), (ACCOUNT, username, "")):
        counter = [rule.kind, user, place]
        failures = conn.execute("SELECT auth.throttle_failed(%s, %s, %s, %s)", [*counter, rule.decay_s]).fetchone()[0]
        if failures == 1 and rule is PAIR:
            conn.execute("SELECT auth.throttle_forget(%s, %s)", [FORGET_S, KNOWN_ADDRESS_S])
        wait = delay_s(rule, failures)
        if wait:
            conn.execute("SELECT auth.throttle_block(%s, %s, %s, %s)", [*counter, wait])
    return wait_s(conn, username, address)


def note_success(conn: psycopg.Connection, username: str, address: str) -> None:
    """A successful sign-in: the pair starts again and the address becomes known to the user."""
    conn.execute("SELECT auth.throttle_succeeded(%s, %s)", [username, address])


def unlock(conn: psycopg.Connection, username: str = "", address: str = "") -> int:
    """Clear the counters of `username` (from every address, and its account's) and/or of
    `address` (a client address as typed; an IPv6 one stands for its /64); returns how many."""
    params = {"username": username, "address": client_key(address) if address else ""}
    return conn.execute(load_query("auth/throttle_unlock"), params).rowcount
