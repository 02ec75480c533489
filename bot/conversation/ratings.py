"""The reporter's rating of a finished ticket, in two parts: 已解决 / 未解决 and 满意 / 基本满意 / 不满意.

「已解决 满意」 says both; either half alone works: 「满意」 counts as solved (dispatch.tickets.solved_from), 「未解决」
reopens as 「不满意」 does, and 「已解决」 alone closes and asks once how satisfied (the next 「满意」 completes it
through the correction window). A bare rating rates the ticket the bot last showed (进度 N) or asked about
(the 办结 notice); right after a rating, another one for the same ticket corrects it
(conversation.correction_minutes).
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
    value, note = turn.parse.args.get("value", ""), turn.parse.args.get("note", "")
    solved: bool | None = turn.parse.args.get("solved")
    named = turn.parse.args.get("ticket")
    if named is None and (nth := turn.parse.args.get("ordinal")):
        listed = context.waiting(turn, context.LISTED)
        shown_list = listed.data.get("tickets", []) if listed else []
        if not 1 <= nth <= len(shown_list):
            return wording.WHICH_TICKET_TO_RATE          # 「第二个」 of no list the bot showed: ask, never guess
        named = shown_list[nth - 1]
    shown = context.waiting(turn, context.RATING)
    correction = context.waiting(turn, context.CORRECTION)
    said = (correction.data.get("value"), correction.data.get("solved")) if correction else None
    if correction and said != (value or said[0], solved if solved is not None else said[1]) and (
            named == correction.ticket_id or (named is None and shown is None)):
        return _correct(turn, correction, value, note, solved)
    target = named or (shown.ticket_id if shown else None)
    try:
        rated = tickets.rate(turn.db, turn.config, target, turn.user, value, note, turn.now, solved)
    except tickets.TicketNotFound:
        return wording.nothing_to_rate()
    except TransitionError as e:
        if named is None and shown is not None:
            context.drop(turn, context.RATING)     # the ticket shown is rated already: the usual choice applies
            return rate(turn)
        return wording.not_waiting_for_rating(e.ticket_id, e.current)
    ticket_id = rated.ticket["id"]
    context.drop(turn, context.RATING)
    context.expect(turn, context.CORRECTION, ticket_id, {"value": value, "solved": solved})
    text = wording.thanks_for_rating(ticket_id, value, rated.ticket["state"], rated.decided, rated.still_waiting,
                                     solved)
    return Reply(text, ticket_id, "answered")


def _correct(turn: Turn, correction: Expectation, value: str, note: str, solved: bool | None) -> Reply | str:
    """Change the rating given a moment ago, or add the half that was missing (「已解决」, then 「满意」)."""
    ticket_id = correction.ticket_id
    try:
        rated = tickets.correct_rating(turn.db, turn.config, ticket_id, turn.user, value, note, turn.now, solved)
    except (tickets.TicketNotFound, TransitionError):
        context.drop(turn, context.CORRECTION)
        return wording.too_late_to_correct(ticket_id)
    completing = not correction.data.get("value")      # 「已解决」 was said alone: this is the other half
    value = value or correction.data.get("value") or ""
    solved = solved if solved is not None else correction.data.get("solved")
    context.expect(turn, context.CORRECTION, ticket_id, {"value": value, "solved": solved})
    said = wording.rating_note(value, solved)
    if completing:
        return Reply(wording.rating_completed(ticket_id, said, rated.ticket["state"]), ticket_id, "answered")
    return Reply(wording.rating_corrected(ticket_id, said, rated.ticket["state"]), ticket_id, "answered")
