"""The outbox: every push is a row first, then a delivery; a crash or an API outage loses nothing.

A row is sent at most once: the sender leases it (moves its due time forward) before sending, and
marks it sent after. Failures back off exponentially up to ten minutes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlite_utils import Database

from dispatch.clock import iso
from dispatch.store import transaction

log = logging.getLogger(__name__)

#: send(user_row, body) raises on failure; the user row carries channel and external_id.
Sender = Callable[[dict[str, Any], str], None]

LEASE_SECONDS = 60
MAX_BACKOFF_SECONDS = 600


def enqueue(db: Database, recipient: str, body: str, now: datetime, ticket_id: int | None = None,
            dedup_key: str | None = None) -> None:
    """Queue a message; a second call with the same dedup_key is ignored."""
    db.execute(
        "INSERT INTO outbox (recipient, body, ticket_id, dedup_key, created_at, due_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [recipient, body, ticket_id, dedup_key, iso(now), iso(now)],
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 5 * 2 ** max(0, attempts - 1)))


def deliver_due(db: Database, send: Sender, now: datetime, limit: int = 100) -> int:
    """Send what is due; returns how many were delivered."""
    rows = list(db.query(
        "SELECT outbox.id AS outbox_id, outbox.body, outbox.attempts, users.id, users.channel, "
        "users.external_id, users.role, users.display_name, users.last_inbound_at FROM outbox "
        "JOIN users ON users.id = outbox.recipient "
        "WHERE outbox.sent_at IS NULL AND outbox.due_at <= ? ORDER BY outbox.id LIMIT ?",
        [iso(now), limit],
    ))
    delivered = 0
    for row in rows:
        outbox_id = row["outbox_id"]
        with transaction(db):
            leased = db.execute(
                "UPDATE outbox SET due_at = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL "
                "AND due_at <= ?", [iso(now + timedelta(seconds=LEASE_SECONDS)), outbox_id, iso(now)],
            ).rowcount
        if not leased:
            continue
        user = {k: row[k] for k in ("id", "channel", "external_id", "role", "display_name", "last_inbound_at")}
        try:
            send(user, row["body"])
        except Exception as e:  # noqa: BLE001 - any failure is retried later
            log.warning("outbox %s: send failed: %s", outbox_id, e)
            with transaction(db):
                db.execute("UPDATE outbox SET due_at = ?, last_error = ? WHERE id = ?",
                           [iso(now + backoff(row["attempts"] + 1)), str(e)[:500], outbox_id])
            continue
        with transaction(db):
            db.execute("UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ?", [iso(now), outbox_id])
        delivered += 1
    return delivered


def inbox(db: Database, recipient: str, after_id: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """Messages pushed to one user, oldest first (the web chat and JSON API read these)."""
    return list(db.query(
        "SELECT id, body, ticket_id, created_at, sent_at FROM outbox WHERE recipient = ? AND id > ? "
        "ORDER BY id LIMIT ?", [recipient, after_id, limit]))
