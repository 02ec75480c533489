"""Access tokens shared by every process through the store's kv table.

WeChat issues one access token per app and a new fetch invalidates the old one soon after, so the web
processes and the worker must share it instead of each keeping its own in memory. A process told that its
token is stale forgets only that token (``invalidate``): when several learn it at once, the first to fetch
stores a fresh one and the others' deletes miss it, instead of each throwing away the one just fetched.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from wechatpy.session import SessionStorage

from dispatch.store import connect, transaction

#: Refresh a little before WeChat's expiry, so a token is never used in its last minutes.
EARLY_SECONDS = 300
#: How long a client reuses the token it read without asking the store again (every API call asks for it; on
#: PostgreSQL each ask was a new connection). A token another process replaced meanwhile fails once with
#: 40001, and ``invalidate`` then reads the new one.
MEMO_SECONDS = 10.0


class SQLiteStorage(SessionStorage):
    """A wechatpy session storage over the kv table (key, value, expires_at as Unix seconds)."""

    def __init__(self, db_path: str | Path, prefix: str = "wechatpy") -> None:
        self.db_path = str(db_path)
        self.prefix = prefix
        self._memo: dict[str, tuple[Any, float]] = {}     # key → (value, read at, monotonic seconds)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def get(self, key: str, default: Any = None) -> Any:
        value, read_at = self._memo.get(key, (None, 0.0))
        if value is not None and time.monotonic() - read_at < MEMO_SECONDS:
            return value
        value = self._read(key)
        if value is not None:
            self._memo[key] = (value, time.monotonic())
        return default if value is None else value

    def _read(self, key: str) -> Any:
        db = connect(self.db_path)
        try:
            row = db.execute("SELECT value, expires_at FROM kv WHERE key = ?", [self._key(key)]).fetchone()
        finally:
            db.close()
        if row is None or (row[1] is not None and row[1] <= time.time()):
            return None
        return row[0]

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self._memo.pop(key, None)
        if value is None:
            return
        expires_at = time.time() + max(60, ttl - EARLY_SECONDS) if ttl else None
        db = connect(self.db_path)
        try:
            with transaction(db):
                db.execute("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE "
                           "SET value = excluded.value, expires_at = excluded.expires_at",
                           [self._key(key), str(value), expires_at])
        finally:
            db.close()

    def invalidate(self, key: str, token: str | None) -> None:
        """Forget ``token`` if it is still the stored one; a newer token fetched meanwhile is kept."""
        self._memo.pop(key, None)
        db = connect(self.db_path)
        try:
            with transaction(db):
                db.execute("DELETE FROM kv WHERE key = ? AND value = ?", [self._key(key), str(token)])
        finally:
            db.close()

    def delete(self, key: str) -> None:
        self._memo.pop(key, None)
        db = connect(self.db_path)
        try:
            with transaction(db):
                db.execute("DELETE FROM kv WHERE key = ?", [self._key(key)])
        finally:
            db.close()
