"""One scheduler at a time: a lease row in kv that the running scheduler renews and others wait out.

Several web workers (or a forgotten second `sandan worker`) may each start a scheduler; only the one
holding the lease runs jobs. A holder that dies stops renewing, and another takes over after the TTL.
"""

from __future__ import annotations

import os
import socket
import uuid

from sqlite_utils import Database

from dispatch.store import transaction

KEY = "lease:scheduler"


def new_holder() -> str:
    """A name for this process that no other process shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def hold(db: Database, holder: str, now: float, ttl: float, key: str = KEY) -> bool:
    """Take or renew the lease; True when ``holder`` has it until now + ttl. ``now`` is epoch seconds."""
    with transaction(db):
        db.execute(
            "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
            "value = excluded.value, expires_at = excluded.expires_at "
            "WHERE kv.value = excluded.value OR kv.expires_at IS NULL OR kv.expires_at < ?",
            [key, holder, now + ttl, now])
        row = db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
    return bool(row) and row[0] == holder


def release(db: Database, holder: str, key: str = KEY) -> None:
    with transaction(db):
        db.execute("DELETE FROM kv WHERE key = ? AND value = ?", [key, holder])
