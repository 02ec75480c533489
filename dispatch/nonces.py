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
#: Pairs too old to be accepted again are deleted at most this often (per process and channel): one more
#: statement in every callback's write bought nothing, since a stale timestamp is refused before its pair
#: is looked at.
SWEEP_SECONDS = 60
_last_sweep: dict[str, float] = {}


class UsedForAnotherBody(Exception):
    """A signed (timestamp, nonce) pair came back with other bytes than its first body: a forgery."""


def claim(db: Database, channel: str, timestamp: str, nonce: str, digest: str, now: float, keep: float) -> None:
    """Record the pair with its body's digest for ``keep`` seconds, inside the caller's transaction, so the
    pair and the message it carries are stored together or not at all.

    :param timestamp: the callback's signed timestamp, digits within the accepted skew of ``now``.
    :param now: epoch seconds.
    :raises UsedForAnotherBody: the pair was used for a different body.
    """
    prefix = f"{PREFIX}{channel}:"
    if now - _last_sweep.get(channel, float("-inf")) >= SWEEP_SECONDS:
        # Keys sort by their timestamp (the same number of digits for centuries), so the pairs too old to be
        # accepted again are one range of the primary key: a seek, however many callbacks are remembered.
        db.execute("DELETE FROM kv WHERE key >= ? AND key < ?", [prefix, f"{prefix}{int(now - keep)}"])
        _last_sweep[channel] = now
    key = f"{prefix}{timestamp}:{nonce}"
    if db.execute("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                  [key, digest, now + keep]).rowcount:
        return
    row = db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
    if row is None or row[0] != digest:
        raise UsedForAnotherBody(key)


def first_use(db: Database, channel: str, timestamp: str, nonce: str, digest: str, now: float, keep: float) -> bool:
    """:func:`claim` in a transaction of its own; False when the pair was already used for a different body."""
    try:
        with transaction(db):
            claim(db, channel, timestamp, nonce, digest, now, keep)
    except UsedForAnotherBody:
        return False
    return True


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
