"""What the bot waits for from a person: one row per user, its state and data, and when it was last set.

The conversation (bot/conversation/) decides what the states mean; this module only keeps them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from dispatch.clock import iso, parse_iso


def waiting(db: Database, user_id: str, since: datetime) -> dict[str, Any] | None:
    """The person's waiting state set at or after ``since`` (``{"state": …, **data}``); an older one is dropped."""
    row = db.execute("SELECT state, data, updated_at FROM conversations WHERE user_id = ?", [user_id]).fetchone()
    if not row:
        return None
    if parse_iso(row[2]) < since:
        forget(db, user_id)
        return None
    return {"state": row[0], **json.loads(row[1])}


def wait_for(db: Database, user_id: str, state: str, data: dict[str, Any], now: datetime) -> None:
    db.execute(
        "INSERT INTO conversations (user_id, state, data, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(user_id) DO UPDATE SET state = excluded.state, data = excluded.data, "
        "updated_at = excluded.updated_at",
        [user_id, state, json.dumps(data, ensure_ascii=False), iso(now)])


def forget(db: Database, user_id: str) -> None:
    db.execute("DELETE FROM conversations WHERE user_id = ?", [user_id])
