"""Checking the audit log's hash chain: every entry's `prev_hash` is the hash of the entry
before it, and its `hash` is SHA-256 of `prev_hash|id|time in µs|n:actor|n:action|n:target|detail`
(n the length of the text that follows; the same text as the SQL function audit.entry_text).

What the chain cannot show by itself: an owner who rewrites the whole chain from some entry
on, or cuts its tail. `verify` prints the head (the last hash): kept somewhere else (a ticket,
a signed mail), it shows both."""

import datetime as dt
import hashlib
from dataclasses import dataclass

import psycopg

GENESIS = "0" * 64
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ENTRIES = "SELECT id, at, actor, action, target, detail::text, prev_hash, hash FROM audit.log ORDER BY id"


@dataclass(frozen=True)
class ChainReport:
    entries: int
    head: str  # the last entry's hash: kept elsewhere, it also shows a cut-off tail
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify_chain(conn: psycopg.Connection) -> ChainReport:
    """Walk the log in order and report the first broken link (None when intact).

    Example:
        >>> verify_chain(conn).intact
        True
    """
    previous, count = GENESIS, 0
    with conn.cursor(name="audit_chain") as cursor:  # server-side: the log may be long
        cursor.execute(ENTRIES)
        for entry_id, at, actor, action, target, detail, prev_hash, stored_hash in cursor:
            count += 1
            if prev_hash != previous:
                return ChainReport(count, previous, entry_id, "its prev_hash is not the hash of the entry before it")
            if entry_hash(prev_hash, entry_id, at, actor, action, target, detail) != stored_hash:
                return ChainReport(count, previous, entry_id, "its content does not match its hash")
            previous = stored_hash
    return ChainReport(count, previous)


def entry_hash(prev_hash: str, entry_id: int, at: dt.datetime, actor, action, target, detail: str) -> str:
    micros = (at - EPOCH) // dt.timedelta(microseconds=1)
    texts = "|".join(f"{len(value)}:{value}" for value in (actor, action, target))
    text = f"{prev_hash}|{entry_id}|{micros}|{texts}|{detail}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
