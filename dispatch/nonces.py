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
        db.execute("INSERT OR IGNORE INTO kv (key, value, expires_at) VALUES (?, ?, ?)", [key, digest, now + keep])
        row = db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
    return bool(row) and row[0] == digest
