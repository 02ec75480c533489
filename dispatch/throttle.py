"""Guessing slowed down: failures per key (a login name, an address, a chat user binding invite codes) lock
that key out for a while, twice as long at each further failure.

A store-backed limiter (kv rows ``throttle:<key>`` = "failures", expires_at = the end of the lock), so every
web process and every machine on one store sees the same count. A success clears the key; failures are
forgotten ``forget_seconds`` after the last one.
"""

from __future__ import annotations

from sqlite_utils import Database

from dispatch.store import transaction
from settings import LimitSettings

PREFIX = "throttle:"


def locked_for(db: Database, key: str, now: float) -> float:
    """Seconds the key stays locked (0: it may try). ``now`` is epoch seconds."""
    row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [PREFIX + key]).fetchone()
    if row is None or row[1] is None:
        return 0.0
    if row[1] <= now:
        return 0.0
    return row[1] - now


def failed(db: Database, key: str, now: float, limits: LimitSettings) -> tuple[int, float]:
    """Count one failure; returns the failures so far and the seconds of lock it brings (0: none yet)."""
    with transaction(db):
        # keys quiet for longer than the forget time go (a guesser trying many names leaves no pile of rows)
        db.execute("DELETE FROM kv WHERE key >= ? AND key < ? AND expires_at < ?",
                   [PREFIX, "throttle;", now - limits.forget_failures_seconds])
        row = db.execute("SELECT value FROM kv WHERE key = ?", [PREFIX + key]).fetchone()
        failures, last = 0, 0.0
        if row is not None:
            count, _, at = row[0].partition("|")
            failures, last = int(count), float(at or 0)
        if now - last > limits.forget_failures_seconds:
            failures = 0
        failures += 1
        over = failures - limits.free_failures
        lock = min(limits.lock_max_seconds, limits.lock_seconds * 2 ** (over - 1)) if over > 0 else 0.0
        db.execute("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                   "value = excluded.value, expires_at = excluded.expires_at",
                   [PREFIX + key, f"{failures}|{now}", now + lock if lock else now])
    return failures, lock


def succeeded(db: Database, key: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM kv WHERE key = ?", [PREFIX + key])
