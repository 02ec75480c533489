"""The community's desk in chat: a dispatcher's 待办 (the review queue and the 转人工 questions), 答复 and 入库,
a grid's 退回审核, and 派单 / 转交 typed without whom to (the bot asks, with the choices).

Each handler checks who is speaking, calls one dispatch function and turns its errors into a sentence.
"""

from __future__ import annotations

from typing import Any, Callable

import wording
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import questions, review, tickets
from dispatch.routing import target_choices
from dispatch.states import TransitionError
from dispatch.users import is_staff


def queue(turn: Turn) -> str:
    """待办 for a dispatcher: what waits for the community, reports to route and questions to answer ("" when
    nothing waits)."""
    q = review.queue(turn.db, turn.user)
    if not (q.report_total or q.question_total):
        return ""
    return wording.dispatcher_work(q.reports, q.questions, q.report_total, q.question_total)


def _ticket_action(turn: Turn, action: Callable[[int], Reply], needs_words: str) -> Reply | str:
    """Run a desk action on the message's ticket; the usual refusals become plain sentences."""
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    ticket_id = turn.parse.args["ticket"]
    try:
        return action(ticket_id)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        return wording.NOT_DISPATCHER if turn.parse.intent in ("answer", "save_answer") else wording.NOT_ALLOWED
    except tickets.NeedsReason:
        return needs_words
    except questions.NotAnswered:
        return wording.not_answered(ticket_id)
    except TransitionError as e:
        if turn.parse.intent == "answer":
            return wording.cannot_answer(ticket_id, e.current)
        return wording.wrong_state(ticket_id, e.current)


def answer(turn: Turn) -> Reply | str:
    """「答复 N 内容」: the dispatcher answers a waiting question; the resident gets the answer."""
    def act(ticket_id: int) -> Reply:
        questions.answer(turn.db, turn.config, ticket_id, turn.user, turn.parse.args.get("note", ""), turn.now)
        return Reply(wording.answered_reply(ticket_id), ticket_id)
    return _ticket_action(turn, act, wording.ANSWER_NEEDS_TEXT)


def save_answer(turn: Turn) -> Reply | str:
    """「入库 N」: keep the answer, so the next resident who asks the same is answered at once."""
    def act(ticket_id: int) -> Reply:
        first = questions.save(turn.db, turn.config, ticket_id, turn.user, turn.now)
        return Reply(wording.answer_saved(ticket_id, first), ticket_id)
    return _ticket_action(turn, act, wording.ANSWER_NEEDS_TEXT)


def back_to_review(turn: Turn) -> Reply | str:
    """「退回审核 N 理由」: the grid sends a ticket that is not its work back to the community's review queue."""
    def act(ticket_id: int) -> Reply:
        review.return_to_review(turn.db, turn.config, ticket_id, turn.user, turn.parse.args.get("note", ""),
                                turn.now)
        return Reply(wording.back_to_review_reply(ticket_id), ticket_id)
    return _ticket_action(turn, act, wording.BACK_TO_REVIEW_NEEDS_REASON)


def visible_ticket(turn: Turn, ticket_id: int) -> dict[str, Any] | None:
    """The ticket, when the speaker may see it; None for one that does not exist or is not theirs to see."""
    try:
        ticket = tickets.get_ticket(turn.db, ticket_id)
    except tickets.TicketNotFound:
        return None
    return ticket if tickets.may_see(turn.db, turn.user, ticket) else None


def ask_target(turn: Turn) -> str:
    """「转交 25」 or 「派单 25」 with nobody named: ask whom, offering the speaker's own community's grids."""
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    ticket_id = turn.parse.args["ticket"]
    if (ticket := visible_ticket(turn, ticket_id)) is None:
        return wording.no_such_ticket(ticket_id)
    community = turn.user.get("community_id") or ticket["community_id"]
    grids, departments = target_choices(turn.config.deployment, community)
    return wording.ask_target(turn.parse.args["verb"], ticket_id, grids, departments)
