"""What an operator asks of the store: can it be written, is the scheduler alive, is the outbox moving, and
the counts /metrics reports. Plain reads (and one probe write) with ``now`` passed in.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from dispatch import dialect
from dispatch.clock import iso, parse_iso
from dispatch.lease import KEY as LEASE_KEY
from dispatch.store import transaction

SCAN_KEY = "metrics:deadline_scan"


def store_writable(path: str | Path, now: datetime, timeout: float = 2.0) -> str | None:
    """Write and commit a probe row on a fresh connection; None when that worked, else the store's reason
    (a read-only file system, a full disk, a lock held longer than ``timeout``, a server that is down).
    ``path`` is the SQLite file or the PostgreSQL URL."""
    if dialect.is_url(str(path)):
        return _postgres_writable(str(path), now, timeout)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout)
    except sqlite3.Error as e:
        return str(e)
    try:
        with conn:
            conn.execute("INSERT INTO kv (key, value, expires_at) VALUES ('ready:probe', ?, NULL) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [iso(now)])
        return None
    except sqlite3.Error as e:
        return str(e)
    finally:
        conn.close()


def _postgres_writable(url: str, now: datetime, timeout: float) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=max(1, round(timeout)),
                             options=f"-c statement_timeout={int(timeout * 1000)}") as conn:
            conn.execute("INSERT INTO kv (key, value, expires_at) VALUES ('ready:probe', %s, NULL) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [iso(now)])
        return None
    except psycopg.Error as e:
        return str(e).strip()


def scheduler_lease(db: Database) -> tuple[str | None, float | None]:
    """Who holds the scheduler lease, and until when (epoch seconds)."""
    row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [LEASE_KEY]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def outbox_backlog(db: Database, now: datetime) -> tuple[int, float]:
    """Unsent pushes, and how long the oldest of those already due has waited (seconds; 0 when none)."""
    count, oldest = db.execute("SELECT count(*), min(created_at) FROM outbox WHERE sent_at IS NULL").fetchone()
    due = db.execute("SELECT min(created_at) FROM outbox WHERE sent_at IS NULL AND due_at <= ?",
                     [iso(now)]).fetchone()[0]
    return count, max(0.0, (now - parse_iso(due)).total_seconds()) if due else 0.0


def push_failures(db: Database) -> int:
    """Delivery attempts that did not end in a sent push, over the outbox's life."""
    return db.execute("SELECT coalesce(sum(attempts), 0) - count(sent_at) FROM outbox").fetchone()[0]


def tickets_by_state(db: Database) -> dict[str, int]:
    return {r[0]: r[1] for r in db.execute("SELECT state, count(*) FROM tickets GROUP BY state")}


def messages_by_outcome(db: Database) -> list[tuple[str, str, int]]:
    """(channel, outcome, count): the outcome the conversation recorded (filed, joined, asked, answered,
    ignored…); 'unknown' for rows older than that column."""
    return [tuple(r) for r in db.execute(
        "SELECT channel, coalesce(outcome, 'unknown') AS outcome, count(*) FROM messages GROUP BY channel, outcome")]


def record_scan(db: Database, seconds: float, at_epoch: float) -> None:
    """Keep the last deadline scan's duration (value) and time (expires_at column, epoch seconds)."""
    with transaction(db):
        db.execute("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                   "value = excluded.value, expires_at = excluded.expires_at", [SCAN_KEY, f"{seconds:.6f}", at_epoch])


def last_scan(db: Database) -> dict[str, Any] | None:
    row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [SCAN_KEY]).fetchone()
    return {"seconds": float(row[0]), "at": row[1]} if row else None
