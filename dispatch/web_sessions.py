"""Dashboard sessions the server can end: the cookie carries only a random id, valid while its kv row
(``session:<id>`` = the user name, expires_at) exists. Logging out deletes the row, so a copied cookie stops
working at once, not when its signature would expire.
"""

from __future__ import annotations

import secrets

from sqlite_utils import Database

from dispatch.store import transaction

PREFIX = "session:"


def start(db: Database, username: str, now: float, lifetime_seconds: float) -> str:
    """A new session for the user; returns its id. ``now`` is epoch seconds."""
    sid = secrets.token_urlsafe(32)
    with transaction(db):
        db.execute("DELETE FROM kv WHERE key >= ? AND key < ? AND expires_at < ?", [PREFIX, "session;", now])
        db.execute("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?)", [PREFIX + sid, username,
                                                                                now + lifetime_seconds])
    return sid


def user_of(db: Database, sid: str | None, now: float) -> str | None:
    """The user a live session belongs to; None when it ended, expired or never was."""
    if not sid:
        return None
    row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [PREFIX + sid]).fetchone()
    return row[0] if row and row[1] is not None and row[1] > now else None


def end(db: Database, sid: str | None) -> None:
    if sid:
        with transaction(db):
            db.execute("DELETE FROM kv WHERE key = ?", [PREFIX + sid])
