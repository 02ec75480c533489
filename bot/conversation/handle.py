"""The entry point: one Inbound in, one Reply out, through the same path for every channel.

The reply is what the sender sees at once; everything else (pushes to staff, notices to followers)
is queued in the outbox inside the same transaction as the ticket change.
"""

from __future__ import annotations

from datetime import datetime

import wording
from bot.conversation import pending, table
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from bot.inbound import Inbound
from bot.services import Services
from dispatch import messages
from dispatch.store import transaction
from dispatch.users import ensure_user
from nlu.types import Parse
from sqlite_utils import Database

MAX_TEXT = 2000


def handle(services: Services, db: Database, inbound: Inbound, now: datetime) -> Reply:
    """Handle one message exactly once; a replay of the same channel message id gets the first reply."""
    text = inbound.text or ""
    if len(text) > MAX_TEXT:
        return Reply(wording.TOO_LONG)
    parse = services.engine.parse(text) if text else Parse("", "photo", "其他", "一般", 1.0)
    with transaction(db):
        user = ensure_user(db, inbound.user_id, now, inbound.display_name)
        message_id = messages.record(db, inbound.channel, inbound.msg_id, inbound.user_id, inbound.chat,
                                     inbound.kind, text, inbound.photos, inbound.location, now)
        if message_id is None:
            first = messages.earlier_answer(db, inbound.channel, inbound.msg_id)
            return Reply(first.text, first.ticket, first.outcome, first.private)  # type: ignore[arg-type]
        reply = _dispatch(Turn(services, db, inbound, user, parse, now, message_id))
        messages.save_answer(db, message_id, messages.Answered(reply.text, reply.ticket, reply.outcome,
                                                               reply.private))
    return reply


def _dispatch(turn: Turn) -> Reply:
    if turn.inbound.kind == "event":
        return table.run(turn, "event")
    waiting = None if turn.in_group else pending.waiting(turn)    # a group message never answers a 1:1 question
    if waiting and turn.parse.intent in ("report", "chitchat", "question", "photo", "location"):
        return pending.continue_pending(turn, waiting)
    if turn.inbound.photos and not turn.inbound.text:
        return pending.add_result_photo(turn) or pending.add_to_recent_report(turn) or pending.wait_for_words(turn)
    if turn.inbound.location and not turn.inbound.text:
        return pending.wait_for_words(turn)
    return table.run(turn)
