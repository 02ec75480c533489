"""The outbox: every push is a row first, then a delivery; a crash or an API outage loses nothing.

A row is sent at most once: the sender leases it (moves its due time forward) before sending, and
marks it sent after. Failures back off exponentially up to ten minutes, and after ``max_attempts`` the row
is given up (``failed_at``, logged as an error). A channel that took the message but did not say so in time
(WeChat accepting after our timeout) raises :class:`Unconfirmed`: the row is not sent again, so a slow
accept never becomes four copies, and its ``last_error`` says the delivery is unconfirmed.

Emergencies go first: rows about a ticket of the most urgent level are sent before older ordinary ones.
A clock stepped back leaves no row stranded: no honest due time lies further ahead than the longest backoff,
so one that does is due now.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlite_utils import Database

from dispatch import dialect
from dispatch.clock import iso
from dispatch.store import row_id, transaction
from dispatch.users import set_role

log = logging.getLogger(__name__)

#: send(user_row, body) raises on failure; the user row carries channel and external_id. A push that carries
#: photos is sent as send(user_row, body, photos), each photo a media row (url, path, media_id, channel).
Sender = Callable[..., None]

LEASE_SECONDS = 60
MAX_BACKOFF_SECONDS = 600
#: A due time further ahead than this was written by a clock that has since stepped back.
HORIZON = timedelta(seconds=MAX_BACKOFF_SECONDS + LEASE_SECONDS + 60)


class Unconfirmed(Exception):
    """The channel may have delivered the message (it timed out waiting for the answer): never resend."""


def enqueue(db: Database, recipient: str, body: str, now: datetime, ticket_id: int | None = None,
            dedup_key: str | None = None, photos: list[int] | tuple[int, ...] = ()) -> None:
    """Queue a message; a second call with the same dedup_key is ignored.

    :param photos: ids of media rows the push carries (the reporter's photo, the result photo).
    """
    db.execute(
        "INSERT INTO outbox (recipient, body, ticket_id, dedup_key, created_at, due_at, photos) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [recipient, body, ticket_id, dedup_key, iso(now), iso(now), json.dumps(list(photos))],
    )


def group_user_id(group: str) -> str:
    """The recipient id of a group chat of the deployment (``groups:`` key → 「group:fengchao」)."""
    return f"group:{group}"


def enqueue_to_group(db: Database, group: str, group_name: str, body: str, now: datetime,
                     ticket_id: int | None, dedup_key: str) -> None:
    """Queue a post to a group chat, known as a user of role "group" under its display name."""
    set_role(db, group_user_id(group), "group", now, display_name=group_name)
    enqueue(db, group_user_id(group), body, now, ticket_id, dedup_key)


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


def deliver_due(db: Database, send: Sender, now: datetime, limit: int = 100, urgent_level: str | None = None,
                max_attempts: int = 12) -> int:
    """Send what is due, pushes about ``urgent_level`` tickets first, then oldest first; returns how many
    were delivered."""
    due, horizon = iso(now), iso(now + HORIZON)
    rows = list(db.query(
        "SELECT outbox.id AS outbox_id, outbox.body, outbox.attempts, outbox.due_at, outbox.photos, users.id, "
        "users.channel, "
        "users.external_id, users.role, users.display_name, users.last_inbound_at FROM outbox "
        "JOIN users ON users.id = outbox.recipient LEFT JOIN tickets ON tickets.id = outbox.ticket_id "
        "WHERE outbox.sent_at IS NULL AND outbox.failed_at IS NULL AND (outbox.due_at <= ? OR outbox.due_at > ?) "
        "ORDER BY CASE WHEN tickets.urgency = ? THEN 1 ELSE 0 END DESC, outbox.id LIMIT ?",
        [due, horizon, urgent_level, limit],
    ))
    delivered = 0
    for row in rows:
        outbox_id = row["outbox_id"]
        with transaction(db):
            leased = db.execute(
                "UPDATE outbox SET due_at = ?, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox "
                f"WHERE id = ? AND sent_at IS NULL AND due_at = ?{dialect.skip_locked(db)})",
                [iso(now + timedelta(seconds=LEASE_SECONDS)), outbox_id, row["due_at"]],
            ).rowcount
        if not leased:
            continue
        user = {k: row[k] for k in ("id", "channel", "external_id", "role", "display_name", "last_inbound_at")}
        try:
            photos = photos_of(db, row["photos"])
            send(user, row["body"], *([photos] if photos else []))
        except Unconfirmed as e:
            log.warning("outbox %s: delivery unconfirmed, not sent again: %s", outbox_id, e)
            with transaction(db):
                db.execute("UPDATE outbox SET sent_at = ?, last_error = ? WHERE id = ?",
                           [iso(now), f"unconfirmed: {e}"[:500], outbox_id])
            continue
        except Exception as e:  # noqa: BLE001 - any failure is retried later, up to max_attempts
            _failed(db, outbox_id, row["attempts"] + 1, max_attempts, e, now)
            continue
        with transaction(db):
            db.execute("UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ?", [iso(now), outbox_id])
        delivered += 1
    return delivered


def _failed(db: Database, outbox_id: int, attempts: int, max_attempts: int, e: Exception, now: datetime) -> None:
    if attempts >= max_attempts:
        log.error("outbox %s: given up after %d attempts: %s", outbox_id, attempts, e)
        with transaction(db):
            db.execute("UPDATE outbox SET failed_at = ?, last_error = ? WHERE id = ?",
                       [iso(now), f"given up after {attempts} attempts: {e}"[:500], outbox_id])
        return
    log.warning("outbox %s: send failed (attempt %d of %d): %s", outbox_id, attempts, max_attempts, e)
    with transaction(db):
        db.execute("UPDATE outbox SET due_at = ?, last_error = ? WHERE id = ?",
                   [iso(now + backoff(attempts)), str(e)[:500], outbox_id])


def inbox(db: Database, recipient: str, after_id: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """Messages pushed to one user, oldest first (the web chat and JSON API read these); ``photos`` lists the
    addresses of the photos a push carries."""
    rows = list(db.query(
        "SELECT id, body, ticket_id, created_at, sent_at, photos FROM outbox WHERE recipient = ? AND id > ? "
        "ORDER BY id LIMIT ?", [recipient, row_id(after_id), limit]))
    for row in rows:
        row["photos"] = [p["url"] for p in photos_of(db, row["photos"]) if p["url"]]
    return rows


def settle_history(db: Database, now: datetime) -> int:
    """Count every unsent push queued before ``now`` as delivered then (a made-up past, `sandan demo`)."""
    return db.execute("UPDATE outbox SET sent_at = created_at WHERE sent_at IS NULL AND created_at < ?",
                      [iso(now)]).rowcount
