"""The entry point: one Inbound in, one Reply out, through the same path for every channel.

Every message is recorded once, then tested against what the bot waits for from this person in this chat
(context.py): a cancel, a yes/no, the next part of a report being told; only then does the handler table
read it afresh. The reply is what the sender sees at once; everything else (pushes to staff, notices to
followers, a group member's private answer) is queued in the outbox inside the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlite_utils import Database

import wording
from bot.conversation import context, group, table, telling
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from bot.inbound import Inbound
from bot.services import Services
from dispatch import knowledge_items, messages
from dispatch.store import transaction
from dispatch.users import ensure_user
from nlu.commands import WITHDRAW_VERBS
from nlu.types import Parse

MAX_TEXT = 2000
#: Intents that may be the next part of a report being told; commands (进度 3, 积分) are answered meanwhile.
CONTINUES = ("report", "chitchat", "question", "photo", "location", "greeting")


def handle(services: Services, db: Database, inbound: Inbound, now: datetime,
           claim: Callable[[Database], None] | None = None) -> Reply:
    """Handle one message exactly once; a replay of the same channel message id gets the first reply.

    :param claim: runs first in the message's transaction, so what it writes is stored with the message or
        not at all; it raises to refuse the message (a callback's signed nonce, bot/channels/callbacks.py).
    """
    text = inbound.text or ""
    if len(text) > MAX_TEXT:
        if claim:
            with transaction(db):
                claim(db)
        return Reply(wording.TOO_LONG)
    # the items staff keep in the database decide what is a question about a service, as they answer it
    knowledge = knowledge_items.current(db, services.knowledge)
    parse = services.engine.parse(text, knowledge) if text else Parse("", "photo", "其他", "一般", 1.0)
    with transaction(db):
        if claim:
            claim(db)
        user = ensure_user(db, inbound.user_id, now, inbound.display_name)
        message_id = messages.record(db, inbound.channel, inbound.msg_id, inbound.user_id, inbound.chat,
                                     inbound.kind, text, inbound.photos, inbound.location, now)
        if message_id is None:
            first = messages.earlier_answer(db, inbound.channel, inbound.msg_id)
            return Reply(first.text, first.ticket, first.outcome, first.private)  # type: ignore[arg-type]
        turn = Turn(services, db, inbound, user, parse, now, message_id)
        reply = _dispatch(turn)
        if turn.in_group:
            reply = group.speak(turn, reply)
        messages.save_answer(db, message_id, messages.Answered(reply.text, reply.ticket, reply.outcome,
                                                               reply.private))
    return reply


def _drops(parse: Parse) -> bool:
    """A cancel (取消, 算了…), or a withdrawal typed without a number (「撤回」「撤了吧」): while a report is being
    told, either drops it."""
    return parse.cancel or (parse.intent == "missing_number" and parse.args.get("verb") in WITHDRAW_VERBS)


def _dispatch(turn: Turn) -> Reply:
    if turn.inbound.kind in ("event", "link") or (turn.inbound.kind == "voice" and not turn.inbound.text):
        return table.run(turn, turn.inbound.kind)     # follows, shared links, recordings for a person to hear
    turn.expected = context.load(turn)
    confirm = context.waiting(turn, context.CONFIRM)
    if _drops(turn.parse) and (confirm or context.waiting(turn, context.REPORT)):
        return telling.cancel(turn)
    if turn.parse.cancel and not turn.in_group:
        return Reply(wording.NOTHING_TO_CANCEL)
    if confirm and turn.parse.yes_no:
        return telling.confirmed(turn, confirm)
    if confirm:
        telling.not_confirmed(turn, confirm)
    alone = not turn.inbound.text
    if context.waiting(turn, context.REPORT) and turn.parse.intent in CONTINUES:
        if turn.inbound.photos and alone:
            return telling.photo_alone(turn)
        if turn.inbound.location and alone and telling.told(turn).get("missing") == "words":
            return telling.wait_for_words(turn)
        return telling.continue_report(turn)
    if turn.inbound.photos and alone:
        return telling.photo_alone(turn)
    if turn.inbound.location and alone:
        return telling.wait_for_words(turn)
    if turn.in_group and not group.for_the_bot(turn.parse):
        return Reply("", outcome="ignored")
    return table.run(turn)
