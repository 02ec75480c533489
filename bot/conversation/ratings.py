"""满意 / 不满意: the reporter's rating of a finished ticket.

A bare rating rates the ticket the bot last showed (进度 N) or asked about (the 办结 notice); right after a
rating, another one for the same ticket corrects it (conversation.correction_minutes).
"""

from __future__ import annotations

import wording
from bot.conversation import context
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import tickets
from dispatch.dialogue import Expectation
from dispatch.states import TransitionError


def rate(turn: Turn) -> Reply | str:
    value, note = turn.parse.args["value"], turn.parse.args.get("note", "")
    named = turn.parse.args.get("ticket")
    shown = context.waiting(turn, context.RATING)
    correction = context.waiting(turn, context.CORRECTION)
    if correction and correction.data.get("value") != value and (
            named == correction.ticket_id or (named is None and shown is None)):
        return _correct(turn, correction, value, note)
    target = named or (shown.ticket_id if shown else None)
    try:
        rated = tickets.rate(turn.db, turn.config, target, turn.user, value, note, turn.now)
    except tickets.TicketNotFound:
        return wording.nothing_to_rate()
    except TransitionError as e:
        if named is None and shown is not None:
            context.drop(turn, context.RATING)     # the ticket shown is rated already: the usual choice applies
            return rate(turn)
        return wording.not_waiting_for_rating(e.ticket_id, e.current)
    ticket_id = rated.ticket["id"]
    context.drop(turn, context.RATING)
    context.expect(turn, context.CORRECTION, ticket_id, {"value": value})
    text = wording.thanks_for_rating(ticket_id, value, rated.ticket["state"], rated.decided, rated.still_waiting)
    return Reply(text, ticket_id, "answered")


def _correct(turn: Turn, correction: Expectation, value: str, note: str) -> Reply | str:
    """Change the rating given a moment ago."""
    ticket_id = correction.ticket_id
    try:
        rated = tickets.correct_rating(turn.db, turn.config, ticket_id, turn.user, value, note, turn.now)
    except (tickets.TicketNotFound, TransitionError):
        context.drop(turn, context.CORRECTION)
        return wording.too_late_to_correct(ticket_id)
    context.expect(turn, context.CORRECTION, ticket_id, {"value": value})
    return Reply(wording.rating_corrected(ticket_id, value, rated.ticket["state"]), ticket_id, "answered")
