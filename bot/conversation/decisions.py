"""「议定 4 由城管牵头…」: the joint meeting's decision, recorded, assigned and told to everyone on the ticket."""

from __future__ import annotations

import wording
from bot.conversation.turn import Turn
from dispatch import decisions, tickets


def settle(turn: Turn) -> str:
    ticket_id = turn.parse.args["ticket"]
    try:
        ticket = tickets.get_ticket(turn.db, ticket_id)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    if not tickets.may_dispatch(turn.user, ticket):
        return wording.NOT_DISPATCHER
    told = decisions.settle_and_tell(turn.db, turn.config, ticket_id, turn.user, turn.parse.args.get("note", ""),
                                     turn.now)
    if told is None:
        return wording.NO_JOINT_ITEMS
    return wording.decision_told(ticket_id, told.lead, told.helpers, told.told)
