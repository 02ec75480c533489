"""What the bot waits for from a person in a chat: one row per person, chat and kind, since and until when.

Kinds (the conversation, bot/conversation/context.py, decides what they mean):
``report`` a report being told (its words or its place missing) · ``rating`` the ticket a bare 满意 rates ·
``correction`` a rating that may still be changed · ``confirm`` a yes/no question · ``photo`` a photo just
added to a ticket, which may still belong to the next report · ``place`` the place of a 帮办二维码 just scanned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from dispatch.clock import iso, parse_iso


@dataclass(frozen=True)
class Expectation:
    expects: str
    ticket_id: int | None
    data: dict[str, Any]
    since: datetime
    until: datetime


def expect(db: Database, user_id: str, chat: str | None, expects: str, now: datetime, until: datetime,
           ticket_id: int | None = None, data: dict[str, Any] | None = None) -> None:
    """Wait for something from the person; it replaces an earlier expectation of the same kind in that chat."""
    db.execute(
        "INSERT INTO dialogue (user_id, chat, expects, ticket_id, data, since, until) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(user_id, chat, expects) DO UPDATE SET ticket_id = excluded.ticket_id, data = excluded.data, "
        "since = excluded.since, until = excluded.until",
        [user_id, chat or "", expects, ticket_id, json.dumps(data or {}, ensure_ascii=False), iso(now), iso(until)])


def expected(db: Database, user_id: str, chat: str | None, now: datetime) -> dict[str, Expectation]:
    """What the bot still waits for from the person in this chat, by kind. An expired row is ignored, and
    replaced when the bot next waits for that kind (at most one row per person, chat and kind)."""
    rows = db.execute("SELECT expects, ticket_id, data, since, until FROM dialogue "
                      "WHERE user_id = ? AND chat = ? AND until >= ?", [user_id, chat or "", iso(now)]).fetchall()
    return {r[0]: Expectation(r[0], r[1], json.loads(r[2]), parse_iso(r[3]), parse_iso(r[4])) for r in rows}


def drop(db: Database, user_id: str, chat: str | None, expects: str) -> None:
    db.execute("DELETE FROM dialogue WHERE user_id = ? AND chat = ? AND expects = ?", [user_id, chat or "", expects])
