"""Every inbound message is a row first: the channel's message id makes a retry find the first answer.

The row also keeps what the bot made of the message (its reply, the ticket it filed or joined, the outcome
and what it said privately), so a replay answers exactly as the first time did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from dispatch.clock import iso


@dataclass(frozen=True)
class Answered:
    """What the bot made of a message, as stored beside it."""

    text: str
    ticket: int | None
    outcome: str
    private: str


def record(db: Database, channel: str, msg_id: str, sender: str, chat: str | None, kind: str, text: str,
           photos: list[dict[str, str]], location: tuple[float, float] | None, now: datetime) -> int | None:
    """Store an inbound message; its row id, or None when this channel message was seen before."""
    inserted = db.execute(
        "INSERT INTO messages (channel, channel_msg_id, sender, chat, kind, text, photos, location, "
        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [channel, msg_id, sender, chat, kind, text, json.dumps(photos, ensure_ascii=False),
         json.dumps(location) if location else None, iso(now)])
    return inserted.lastrowid if inserted.rowcount else None


def earlier_answer(db: Database, channel: str, msg_id: str) -> Answered:
    """What the bot answered the first time this channel message came."""
    row = db.execute("SELECT reply, ticket_id, outcome, private FROM messages WHERE channel = ? AND channel_msg_id = ?",
                     [channel, msg_id]).fetchone()
    return Answered(row[0] or "", row[1], row[2] or "answered", row[3] or "")


def save_answer(db: Database, message_id: int, answered: Answered) -> None:
    db.execute("UPDATE messages SET reply = ?, ticket_id = ?, outcome = ?, private = ? WHERE id = ?",
               [answered.text, answered.ticket, answered.outcome, answered.private, message_id])


def seen(db: Database, channel: str, msg_id: str) -> bool:
    """Whether this channel message has been handled before (an import run twice files nothing twice)."""
    return db.execute("SELECT 1 FROM messages WHERE channel = ? AND channel_msg_id = ?",
                      [channel, msg_id]).fetchone() is not None


def direct_messages(db: Database, user_id: str, after: int, limit: int = 100) -> list[dict[str, Any]]:
    """A person's 1:1 messages and the bot's replies, oldest first, after a message id."""
    return list(db.query("SELECT id, kind, text, photos, reply, received_at FROM messages WHERE sender = ? "
                         "AND chat IS NULL AND id > ? ORDER BY id LIMIT ?", [user_id, after, limit]))


def group_messages(db: Database, chat: str, after: int, limit: int = 100,
                   channel: str | None = None) -> list[dict[str, Any]]:
    """A group's messages with their senders' names and the bot's replies, oldest first; only those that came
    through ``channel`` when given (the /chat demo shows the demo's own talk, never the real group's)."""
    return list(db.query("SELECT messages.id, messages.sender, messages.text, messages.photos, messages.reply, "
                         "messages.received_at, users.display_name FROM messages "
                         "JOIN users ON users.id = messages.sender WHERE messages.chat = ? AND messages.id > ? "
                         "AND (CAST(? AS TEXT) IS NULL OR messages.channel = ?) ORDER BY messages.id LIMIT ?",
                         [chat, after, channel, channel, limit]))
