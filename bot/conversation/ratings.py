"""满意 / 不满意: the reporter's rating of a finished ticket."""

from __future__ import annotations

import wording
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import tickets
from dispatch.states import TransitionError


def rate(turn: Turn) -> Reply | str:
    value = turn.parse.args["value"]
    try:
        rated = tickets.rate(turn.db, turn.config, turn.parse.args.get("ticket"), turn.user, value,
                             turn.parse.args.get("note", ""), turn.now)
    except tickets.TicketNotFound:
        return wording.nothing_to_rate()
    except TransitionError as e:
        return wording.not_waiting_for_rating(e.ticket_id, e.current)
    text = wording.thanks_for_rating(rated.ticket["id"], value, rated.ticket["state"], rated.decided,
                                     rated.still_waiting)
    return Reply(text, rated.ticket["id"], "answered")
