"""主办/协办 in chat: 「协办 12 城管 …」 adds a co-handler, 「协办完成 12 …」 reports its part, and 「办结 12」
from the lead waits until every part is done."""

from __future__ import annotations

import wording
from bot.conversation import staff
from bot.conversation.turn import Turn
from dispatch import parts, tickets
from dispatch.routing import UnknownTarget
from dispatch.states import TransitionError
from dispatch.users import is_staff


def add(turn: Turn) -> str:
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    ticket_id = turn.parse.args["ticket"]
    try:
        part = parts.add(turn.db, turn.config, ticket_id, turn.user, turn.parse.args["target"],
                         turn.parse.args.get("note", ""), turn.now)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        return wording.CO_HANDLE_IS_FOR_LEAD
    except UnknownTarget as e:
        return wording.unknown_target(e.target, e.candidates, e.hint)
    except parts.AlreadyCoHandling:
        return wording.already_co_handling(ticket_id)
    except TransitionError as e:
        return wording.wrong_state(ticket_id, e.current)
    return wording.co_handler_added(ticket_id, turn.config.deployment.handler_name(None, part["department_id"]))


def finish(turn: Turn) -> str:
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    ticket_id = turn.parse.args["ticket"]
    try:
        left = parts.finish(turn.db, turn.config, ticket_id, turn.user, turn.parse.args.get("note", ""), turn.now)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        return wording.NO_PART
    return wording.part_done(ticket_id, left)


def resolve(turn: Turn) -> str:
    """办结 by the lead once every co-handler has finished (the rest is staff.resolve)."""
    if is_staff(turn.user):
        try:
            parts.check_all_done(turn.db, turn.config, turn.parse.args["ticket"])
        except parts.PartsOpen as e:
            return wording.parts_still_open(e.ticket_id, e.departments)
    return staff.resolve(turn)
