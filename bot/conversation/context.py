"""The dialogue context: what the bot waits for from this person in this chat, since and until when.

Every message is tested against it before anything else (handle.py): an answer to what the bot asked, a
cancel, or something new. The rows live in the store (dispatch/dialogue.py), so a restart or another web
process remembers what was asked. How long each kind is waited for is in config.yaml (conversation).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.conversation.turn import Turn
from dispatch import dialogue
from dispatch.dialogue import Expectation

#: A report being told: its place or its words are still missing.
REPORT = "report"
#: The ticket a bare 满意 / 不满意 rates: the one the bot last showed or asked about.
RATING = "rating"
#: The tickets 我的工单 listed last, in order: 「第二个工单不满意」 rates the second.
LISTED = "listed"
#: A rating just given, which may still be changed.
CORRECTION = "correction"
#: A yes/no question (「您说的是「仙源小区」吗？」).
CONFIRM = "confirm"
#: A photo just added to the sender's recent ticket, which may still belong to the next report.
PHOTO = "photo"
#: The place of a 帮办二维码 the sender scanned: their reports without a place are filed there (scans.py).
PLACE = "place"


def _minutes(turn: Turn, kind: str) -> float:
    c = turn.config.settings.conversation
    return {REPORT: c.wait_minutes, CONFIRM: c.wait_minutes, RATING: c.rating_target_minutes,
            LISTED: c.rating_target_minutes,
            CORRECTION: c.correction_minutes, PHOTO: turn.config.settings.dispatch.photo_join_minutes,
            PLACE: c.scan_place_minutes}[kind]


def load(turn: Turn) -> dict[str, Expectation]:
    """What the bot still waits for from the sender in this chat."""
    return dialogue.expected(turn.db, turn.user["id"], turn.inbound.chat, turn.now)


def expect(turn: Turn, kind: str, ticket_id: int | None = None, data: dict[str, Any] | None = None,
           chat: str | None = None, user_id: str | None = None) -> None:
    """Wait for ``kind`` from the sender (or ``user_id``) in this chat (or in ``chat``; "" is the 1:1 chat),
    for as long as config.yaml's conversation section says."""
    until = turn.now + timedelta(minutes=_minutes(turn, kind))
    where = turn.inbound.chat if chat is None else (chat or None)
    dialogue.expect(turn.db, user_id or turn.user["id"], where, kind, turn.now, until, ticket_id, data)
    if user_id is None and where == turn.inbound.chat:
        turn.expected[kind] = Expectation(kind, ticket_id, data or {}, turn.now, until)


def drop(turn: Turn, kind: str) -> None:
    dialogue.drop(turn.db, turn.user["id"], turn.inbound.chat, kind)
    turn.expected.pop(kind, None)


def waiting(turn: Turn, kind: str) -> Expectation | None:
    return turn.expected.get(kind)
