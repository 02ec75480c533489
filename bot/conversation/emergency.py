"""Emergencies in chat: the reporter is told whom to call and what to do meanwhile; a dispatcher confirms
with 「收到 N」 (dispatch/emergencies.py tells the reporter, the grid and the leader on duty)."""

from __future__ import annotations

import wording
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from bot.conversation.desk import visible_ticket
from dispatch import emergencies
from dispatch.users import is_staff


def first_call(turn: Turn, reply: Reply) -> Reply:
    """The reply to a report of an emergency: whom to call at once (the kind's numbers from the deployment),
    what to do meanwhile, then the usual answer."""
    kind = turn.config.deployment.emergency_kind(turn.parse.emergency)
    if kind is None or not reply.text:
        return reply
    also = turn.config.deployment.emergencies.also_text(kind)
    return Reply(wording.call_first(kind.call, also, reply.text, kind.name), reply.ticket, reply.outcome,
                 reply.private)


def acknowledge(turn: Turn) -> Reply | str:
    """「收到 N」."""
    ticket_id = turn.parse.args["ticket"]
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    if (ticket := visible_ticket(turn, ticket_id)) is None:
        return wording.no_such_ticket(ticket_id)
    try:
        done = emergencies.acknowledge(turn.db, turn.config, ticket, turn.user, turn.now)
    except emergencies.NotAnEmergency:
        return wording.NOT_AN_EMERGENCY
    return Reply(wording.emergency_acknowledged(ticket_id, done.first), ticket_id)
