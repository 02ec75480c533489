"""Questions a person answers: what the knowledge base could not (转人工) waits in the community's review
queue; the dispatcher answers it in chat (「答复 12 …」) and may keep the answer (「入库 12」), so the next
resident who asks the same thing is answered at once.

A kept answer is an item of the knowledge base staff grow on the dashboard (dispatch/knowledge_items.py), so
chat answers from it like any other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from dispatch import knowledge_items, tickets
from dispatch.clock import iso
from dispatch.states import State, TransitionError
from dispatch.store import transaction
from settings import Config

class NotAnswered(Exception):
    """「入库 N」 for a ticket that has no answer from a person to keep."""


def is_question(ticket: dict[str, Any]) -> bool:
    """A matter that needs an answer, not a worker: 回复解释 (a 转人工 question, or one the bot could not answer)."""
    return ticket["handling"] == "reply"


def answer(db: Database, config: Config, ticket_id: int, user: dict[str, Any], text: str,
           now: datetime) -> dict[str, Any]:
    """「答复 N 内容」: the dispatcher answers a waiting question; the reporters get the answer.

    :raises tickets.NotAllowed: not a dispatcher of the ticket's community.
    :raises tickets.NeedsReason: the answer is empty.
    :raises TransitionError: the ticket is not waiting in the review queue.
    """
    ticket, text = tickets.for_action(db, ticket_id, user, tickets.may_dispatch, text)
    if ticket["state"] != State.RECEIVED.value:
        raise TransitionError(ticket_id, ticket["state"], State.ANSWERED.value)
    with transaction(db):
        ticket = tickets.move(db, ticket, State.ANSWERED, user["id"], f"答复：{text}", now, handling="reply",
                              resolution=text, resolved_at=iso(now), closed_at=iso(now))
        tickets.notify_reporters(db, ticket, wording.reporter_answered(ticket_id, text), now, "answered")
    return ticket


def save(db: Database, config: Config, ticket_id: int, user: dict[str, Any], now: datetime) -> bool:
    """「入库 N」: the answered question becomes a knowledge item (the dashboard's knowledge base, seeded from
    data/knowledge.yaml first), its answer under 温馨提示; returns False when it was kept already.

    :raises tickets.NotAllowed: not a dispatcher of the ticket's community.
    :raises NotAnswered: nobody answered the ticket in chat.
    """
    ticket = tickets.get_ticket(db, ticket_id)
    if not tickets.may_dispatch(user, ticket):
        raise tickets.NotAllowed(ticket_id)
    if ticket["state"] != State.ANSWERED.value or not ticket["resolution"]:
        raise NotAnswered(ticket_id)
    knowledge_items.seed(db, config.path(config.settings.knowledge_file), now)   # never answer from this item alone
    try:
        knowledge_items.save(db, None, {"title": ticket["text"][:40], "questions": ticket["text"],
                                        "notes": ticket["resolution"]}, user["id"], now)
    except knowledge_items.DuplicateTitle:
        return False
    return True
