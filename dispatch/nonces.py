"""Signed callbacks seen recently: a (timestamp, nonce) pair is good for one body only.

WeChat's URL ``signature`` covers the token, timestamp and nonce but not the body, so in plaintext mode one
captured callback URL would let anyone post any body until the timestamp goes stale. Remembering each pair
with a digest of its body for as long as its timestamp is accepted closes that: the same bytes again are
WeChat's own retry (answered from the stored reply), other bytes under a used pair are a forgery.
"""

from __future__ import annotations

from sqlite_utils import Database

from dispatch.store import transaction

PREFIX = "nonce:"


def first_use(db: Database, channel: str, timestamp: str, nonce: str, digest: str, now: float, keep: float) -> bool:
    """Record the pair for ``keep`` seconds; False when it was already used for a different body.

    :param now: epoch seconds.
    """
    key = f"{PREFIX}{channel}:{timestamp}:{nonce}"
    with transaction(db):
        # range on the primary key: forgets expired pairs without scanning the rest of kv
        db.execute("DELETE FROM kv WHERE key >= ? AND key < ? AND expires_at < ?", [PREFIX, "nonce;", now])
        db.execute("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                   [key, digest, now + keep])
        row = db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
    return bool(row) and row[0] == digest


SKEW_KEY = "clock_skew:"


def note_skew(db: Database, channel: str, skew: float, now: float) -> None:
    """Remember that a correctly signed callback came ``skew`` seconds away from our clock (kv
    ``clock_skew:<channel>`` = seconds, expires_at = when it was seen + an hour), for /ready to report."""
    with transaction(db):
        db.execute("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                   "value = excluded.value, expires_at = excluded.expires_at",
                   [SKEW_KEY + channel, f"{skew:.0f}", now + 3600])


def clock_skew(db: Database, channel: str, now: float) -> float | None:
    """The skew last seen on a channel's refused callbacks within the hour, in seconds; None when none was."""
    row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [SKEW_KEY + channel]).fetchone()
    return float(row[0]) if row and row[1] is not None and row[1] > now else None
