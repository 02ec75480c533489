"""The outbox: every push is a row first, then a delivery; a crash or an API outage loses nothing.

Any number of senders (threads of every `sandan worker`) deliver side by side: each claims a batch of due
rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) until a claim time runs out, sends them, and marks each sent.
No row is sent by two live senders; a dead sender's rows go out again once its claim has run out (at least
once, the second time logged as a possible duplicate). One recipient's pushes go in the order queued. Failures back off exponentially up to ten minutes, and after ``max_attempts`` the row
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
import time
from contextlib import nullcontext
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


def _urgent(alias: str) -> str:
    """1 when the outbox row ``alias`` is about a ticket of the urgent level (``:urgent``), else 0."""
    return f"CASE WHEN (SELECT urgency FROM tickets WHERE tickets.id = {alias}.ticket_id) = :urgent THEN 1 ELSE 0 END"


def claim(db: Database, holder: str, now: datetime, batch: int = 20, urgent_level: str | None = None,
          claim_seconds: float = LEASE_SECONDS) -> list[dict[str, Any]]:
    """Take up to ``batch`` due rows for the sender ``holder`` until now + ``claim_seconds``; returns them in
    the order to send them (``urgent_level`` first, then oldest first), each with its recipient's user row.

    Several senders claim side by side: on PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``, so a
    row another sender is claiming is passed over, never taken twice; on SQLite the write lock serialises the
    claims. A row claimed by a sender that died is taken again once its claim has run out (so it may reach
    its recipient twice: logged as a possible duplicate). One recipient's pushes go in the order they were
    queued: a row waits while an earlier one to the same person is due or being sent (an emergency's push
    waits only for earlier emergencies), so a batch holds at most one row per recipient and urgency.
    """
    due, horizon = iso(now), iso(now + HORIZON)
    span = timedelta(seconds=claim_seconds)
    until, ahead = iso(now + span), iso(now + span + HORIZON)
    # free: never claimed, or the claim ran out, or it lies further ahead than any claim can (a clock stepped back)
    free = "(o.claimed_until IS NULL OR o.claimed_until <= :due OR o.claimed_until > :ahead)"
    pending = ("{t}.sent_at IS NULL AND {t}.failed_at IS NULL AND ({t}.due_at <= :due OR {t}.due_at > :horizon)")
    with transaction(db) if not dialect.is_postgres(db) else nullcontext():   # one statement: its own transaction
        claimed = db.execute(
            "UPDATE outbox SET claimed_by = :holder, claimed_until = :until, attempts = attempts + 1, "
            "last_error = CASE WHEN claimed_by IS NULL THEN last_error "
            "ELSE 'claim of ' || claimed_by || ' ran out unsent' END "
            "WHERE id IN (SELECT o.id FROM outbox AS o "
            f"WHERE {pending.format(t='o')} AND {free} "
            "AND NOT EXISTS (SELECT 1 FROM outbox AS earlier WHERE earlier.recipient = o.recipient "
            f"AND earlier.id < o.id AND {pending.format(t='earlier')} AND {_urgent('earlier')} >= {_urgent('o')}) "
            f"ORDER BY {_urgent('o')} DESC, o.id LIMIT :batch{dialect.skip_locked(db, 'o')}) "
            "RETURNING id, last_error",
            {"holder": holder, "until": until, "due": due, "horizon": horizon, "ahead": ahead,
             "urgent": urgent_level, "batch": batch}).fetchall()
    if not claimed:
        return []
    for outbox_id, error in claimed:
        if error and error.startswith("claim of ") and error.endswith(" ran out unsent"):
            log.warning("outbox %s: the %s; sending again (a possible duplicate)", outbox_id, error)
    ids = [r[0] for r in claimed]
    return list(db.query(
        "SELECT outbox.id AS outbox_id, outbox.body, outbox.attempts, outbox.photos, users.id, users.channel, "
        "users.external_id, users.role, users.display_name, users.last_inbound_at FROM outbox "
        "JOIN users ON users.id = outbox.recipient "
        f"WHERE outbox.id IN ({', '.join(':i%d' % n for n in range(len(ids)))}) "
        f"ORDER BY {_urgent('outbox')} DESC, outbox.id",
        {"urgent": urgent_level, **{f"i{n}": i for n, i in enumerate(ids)}}))


def deliver_due(db: Database, send: Sender, now: datetime, limit: int = 100, urgent_level: str | None = None,
                max_attempts: int = 12, holder: str = "sender", batch: int = 20,
                claim_seconds: float = LEASE_SECONDS) -> int:
    """Claim due rows (see ``claim``) and send them, batch after batch, until none is due or ``limit`` were
    tried; returns how many were delivered. Any number of senders may run this at once."""
    delivered = tried = 0
    started = time.monotonic()
    while tried < limit:
        # ``now`` moves on with the clock: a claim written with the time the loop began would run out early
        claimed_at = time.monotonic()
        current = now + timedelta(seconds=claimed_at - started)
        rows = claim(db, holder, current, min(batch, limit - tried), urgent_level, claim_seconds)
        if not rows:
            break
        for n, row in enumerate(rows):
            if time.monotonic() - claimed_at > claim_seconds / 2:   # slow sends: hand the rest back before
                _give_back(db, [r["outbox_id"] for r in rows[n:]], holder)   # the claim runs out under them
                rows = rows[:n]
                break
            delivered += _send(db, send, row, now + timedelta(seconds=time.monotonic() - started), max_attempts)
        tried += len(rows)
    return delivered


def _give_back(db: Database, ids: list[int], holder: str) -> None:
    """Unclaim rows not yet tried, so any sender takes them at once (they were not attempted)."""
    _record(db, f"UPDATE outbox SET claimed_by = NULL, claimed_until = NULL, attempts = attempts - 1 "
            f"WHERE claimed_by = ? AND sent_at IS NULL AND id IN ({', '.join('?' * len(ids))})", [holder, *ids])


def _send(db: Database, send: Sender, row: dict[str, Any], now: datetime, max_attempts: int) -> bool:
    """Send one claimed row and record how it went; True when delivered."""
    outbox_id = row["outbox_id"]
    user = {k: row[k] for k in ("id", "channel", "external_id", "role", "display_name", "last_inbound_at")}
    try:
        photos = photos_of(db, row["photos"])
        send(user, row["body"], *([photos] if photos else []))
    except Unconfirmed as e:
        log.warning("outbox %s: delivery unconfirmed, not sent again: %s", outbox_id, e)
        _record(db, "UPDATE outbox SET sent_at = ?, last_error = ? WHERE id = ?",
                [iso(now), f"unconfirmed: {e}"[:500], outbox_id])
        return False
    except Exception as e:  # noqa: BLE001 - any failure is retried later, up to max_attempts
        _failed(db, outbox_id, row["attempts"], max_attempts, e, now)
        return False
    _record(db, "UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ?", [iso(now), outbox_id])
    return True


def _record(db: Database, sql: str, params: list[Any]) -> None:
    """One UPDATE of a sender's own row: on PostgreSQL a statement alone is its own transaction (one round trip
    instead of BEGIN, UPDATE, COMMIT); on SQLite it queues for the write lock like every write."""
    if dialect.is_postgres(db):
        db.execute(sql, params)
        return
    with transaction(db):
        db.execute(sql, params)


def _failed(db: Database, outbox_id: int, attempts: int, max_attempts: int, e: Exception, now: datetime) -> None:
    if attempts >= max_attempts:
        log.error("outbox %s: given up after %d attempts: %s", outbox_id, attempts, e)
        _record(db, "UPDATE outbox SET failed_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL "
                "WHERE id = ?", [iso(now), f"given up after {attempts} attempts: {e}"[:500], outbox_id])
        return
    log.warning("outbox %s: send failed (attempt %d of %d): %s", outbox_id, attempts, max_attempts, e)
    _record(db, "UPDATE outbox SET due_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL "
            "WHERE id = ?", [iso(now + backoff(attempts)), str(e)[:500], outbox_id])


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
