"""The outbox: every push is a row first, then a delivery; a crash or an API outage loses nothing.

A row is sent at most once: the sender leases it (moves its due time forward) before sending, and
marks it sent after. Failures back off exponentially up to ten minutes.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlite_utils import Database

from dispatch.clock import iso
from dispatch.store import transaction

log = logging.getLogger(__name__)

#: send(user_row, body) raises on failure; the user row carries channel and external_id. A push that carries
#: photos is sent as send(user_row, body, photos), each photo a media row (url, path, media_id, channel).
Sender = Callable[..., None]

LEASE_SECONDS = 60
MAX_BACKOFF_SECONDS = 600


def enqueue(db: Database, recipient: str, body: str, now: datetime, ticket_id: int | None = None,
            dedup_key: str | None = None, photos: list[int] | tuple[int, ...] = ()) -> None:
    """Queue a message; a second call with the same dedup_key is ignored.

    :param photos: ids of media rows the push carries (the reporter's photo, the result photo).
    """
    db.execute(
        "INSERT OR IGNORE INTO outbox (recipient, body, ticket_id, dedup_key, created_at, due_at, photos) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [recipient, body, ticket_id, dedup_key, iso(now), iso(now), json.dumps(list(photos))],
    )


def photos_of(db: Database, raw: str | None) -> list[dict[str, Any]]:
    """The media rows an outbox row carries, with the channel each photo came in on (a WeChat media id can
    only be sent again on its own account)."""
    ids = json.loads(raw or "[]")
    if not ids:
        return []
    return list(db.query(
        "SELECT media.id, media.url, media.path, media.media_id, messages.channel FROM media "
        "LEFT JOIN messages ON messages.id = media.message_id "
        f"WHERE media.id IN ({', '.join('?' * len(ids))}) ORDER BY media.id", ids))


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 5 * 2 ** max(0, attempts - 1)))


def deliver_due(db: Database, send: Sender, now: datetime, limit: int = 100) -> int:
    """Send what is due; returns how many were delivered."""
    rows = list(db.query(
        "SELECT outbox.id AS outbox_id, outbox.body, outbox.attempts, outbox.photos, users.id, users.channel, "
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
            photos = photos_of(db, row["photos"])
            send(user, row["body"], *([photos] if photos else []))
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
    """Messages pushed to one user, oldest first (the web chat and JSON API read these); ``photos`` lists the
    addresses of the photos a push carries."""
    rows = list(db.query(
        "SELECT id, body, ticket_id, created_at, sent_at, photos FROM outbox WHERE recipient = ? AND id > ? "
        "ORDER BY id LIMIT ?", [recipient, after_id, limit]))
    for row in rows:
        row["photos"] = [p["url"] for p in photos_of(db, row["photos"]) if p["url"]]
    return rows
