"""延期申请 in chat: 「延期 12 2天 理由」 from the handler, 「同意延期 12」 / 「不同意延期 12 理由」 from the dispatcher."""

from __future__ import annotations

import wording
from bot.conversation.turn import Turn
from dispatch import extensions, tickets
from dispatch.clock import local_text
from dispatch.states import TransitionError
from dispatch.users import is_staff


def ask(turn: Turn) -> str:
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    args = turn.parse.args
    ticket_id = args["ticket"]
    if "amount" not in args or not args.get("note") or int(args["amount"]) < 1:
        return wording.EXTENSION_HOW
    unit = extensions.UNITS[args["unit"]]
    try:
        extensions.ask(turn.db, turn.config, ticket_id, turn.user, int(args["amount"]), unit, args["note"], turn.now)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        return wording.NOT_ALLOWED
    except tickets.NeedsReason:
        return wording.EXTENSION_HOW
    except TransitionError as e:
        return wording.wrong_state(ticket_id, e.current)
    except extensions.ExtensionPending:
        return wording.extension_pending(ticket_id)
    return wording.extension_asked(ticket_id, wording.extension_span(int(args["amount"]), unit))


def decide(turn: Turn) -> str:
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    ticket_id = turn.parse.args["ticket"]
    grant = not turn.parse.args["decision"].startswith(("不", "驳回"))
    try:
        ticket = tickets.get_ticket(turn.db, ticket_id)
        if not tickets.may_dispatch(turn.user, ticket):
            return wording.DECIDE_EXTENSION_IS_FOR_DISPATCHERS
        ticket = extensions.decide(turn.db, turn.config, ticket_id, turn.user["id"], grant,
                                   turn.parse.args.get("note", ""), turn.now)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except extensions.NoExtensionPending:
        return wording.no_extension_pending(ticket_id)
    if not grant:
        return wording.extension_refused(ticket_id)
    deadline = local_text(ticket["deadline_at"], turn.config.settings.dispatch.timezone)
    return wording.extension_granted(ticket_id, wording.deadline_text(deadline))
