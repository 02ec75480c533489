"""回访 in chat (community dispatchers): 「回访」 lists the calls to make, 「回访 12 已解决 满意」 records one."""

from __future__ import annotations

import wording
from bot.conversation import status
from bot.conversation.turn import Turn
from dispatch import followups, tickets
from dispatch.clock import local_text
from dispatch.states import TransitionError

DISPATCHING = ("dispatcher", "leader", "admin")


def my_tickets(turn: Turn) -> str:
    """「待办」, and for a dispatcher one more line when calls are waiting on the 回访 list."""
    work = status.my_tickets(turn)
    if turn.user.get("role") != "dispatcher":
        return work
    waiting = len(followups.due(turn.db, turn.config, turn.user.get("community_id"), turn.now))
    return f"{work}\n{wording.followups_waiting(waiting)}" if waiting else work


def listing(turn: Turn) -> str:
    if turn.user.get("role") not in DISPATCHING:
        return wording.NOT_DISPATCHER
    community = turn.user.get("community_id") if turn.user.get("role") == "dispatcher" else None
    rows = followups.due(turn.db, turn.config, community, turn.now)
    tz = turn.config.settings.dispatch.timezone
    return wording.followup_list([(t["id"], (local_text(t["resolved_at"], tz) or "")[5:], t["text"]) for t in rows])


def record(turn: Turn) -> str:
    if turn.user.get("role") not in DISPATCHING:
        return wording.NOT_DISPATCHER
    args = turn.parse.args
    ticket_id = args["ticket"]
    solved = args["solved"] in ("已解决", "解决")
    try:
        ticket = followups.record(turn.db, turn.config, ticket_id, turn.user, solved, args.get("value", ""),
                         args.get("note", ""), turn.now)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        return wording.NOT_DISPATCHER
    except TransitionError as e:
        return wording.wrong_state(ticket_id, e.current)
    return wording.followup_recorded(ticket_id, solved, ticket["state"])
