"""One scheduler at a time: a lease row in kv that the running scheduler renews and others wait out.

Several web workers (or a forgotten second `sandan worker`) may each start a scheduler; only the one
holding the lease runs jobs. A holder that dies stops renewing, and another takes over after the TTL.

Clock steps: a lease is never longer than its TTL, so an expiry further ahead than now + TTL (and a minute of
slack for clocks and ticks that differ a little) was written by a clock that ran ahead (a scheduler 3 days fast that crashed blocked its successor for 3 days): it counts as
expired. A clock stepped back only shortens the wait.
"""

from __future__ import annotations

import os
import socket
import uuid

from sqlite_utils import Database

from dispatch.store import transaction

KEY = "lease:scheduler"
#: How far past now + TTL an expiry must lie to count as written by a clock that ran ahead. Without it, a holder
#: renewing a few milliseconds after a candidate read its clock (two workers' jobs on the same tick) looked
#: ahead, and the candidate took the lease from a live leader (bench/multinode.py: two leaders at once).
CLOCK_SLACK = 60.0


def new_holder() -> str:
    """A name for this process that no other process shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def hold(db: Database, holder: str, now: float, ttl: float, key: str = KEY) -> bool:
    """Take or renew the lease; True when ``holder`` has it until now + ttl. ``now`` is epoch seconds."""
    with transaction(db):
        db.execute(
            "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "value = excluded.value, expires_at = excluded.expires_at "
            "WHERE kv.value = excluded.value OR kv.expires_at IS NULL OR kv.expires_at < ? OR kv.expires_at > ?",
            [key, holder, now + ttl, now, now + ttl + CLOCK_SLACK])
        row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [key]).fetchone()
    return bool(row) and row[0] == holder


def holder_of(db: Database, key: str = KEY) -> tuple[str, float] | None:
    """Who holds the lease and until when (epoch seconds), for the log of a scheduler that waits."""
    row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [key]).fetchone()
    return (row[0], row[1]) if row else None


def release(db: Database, holder: str, key: str = KEY) -> None:
    with transaction(db):
        db.execute("DELETE FROM kv WHERE key = ? AND value = ?", [key, holder])
