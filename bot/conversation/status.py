"""A person's own matters: 我的工单, 进度 N, 撤回 N."""

from __future__ import annotations

from typing import Any

import wording
from bot.conversation import context, desk, notes
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import digests, tickets
from dispatch.clock import local_text
from dispatch.states import TransitionError
from dispatch.users import get_user, is_staff


def withdraw(turn: Turn) -> str:
    ticket_id = turn.parse.args["ticket"]
    try:
        tickets.withdraw(turn.db, ticket_id, turn.user, turn.parse.args.get("note", ""), turn.now)
    except (tickets.TicketNotFound, tickets.NotAllowed):
        return wording.no_such_ticket(ticket_id)     # only the reporter may, and nobody learns it exists
    except tickets.OthersStillWaiting:
        return wording.others_still_waiting(ticket_id)
    except TransitionError as e:
        if withdrawn_by_reporter(tickets.get_ticket(turn.db, ticket_id), tickets.last_update(turn.db, ticket_id)):
            return wording.already_withdrawn(ticket_id)
        return wording.cannot_withdraw(ticket_id, e.current)
    return wording.withdrawn(ticket_id)


def withdrawn_by_reporter(ticket: dict[str, Any], last: dict[str, Any]) -> bool:
    """A 驳回 the reporter made themselves (tickets.withdraw), told apart from the community's by its last event."""
    return last["kind"] == "rejected" and last["actor"] == ticket["reporter"]


def my_tickets(turn: Turn) -> str:
    """A resident's own reports; for staff, their open work first (their own reports when there is none)."""
    if turn.user.get("role") == "dispatcher" and (queue := desk.queue(turn)):
        return queue
    if is_staff(turn.user):
        work, total = digests.staff_work(turn.db, turn.user)
        if work:
            return wording.staff_work(work, total, turn.config.settings.dispatch.timezone, turn.user["role"])
    rows, total = tickets.reporter_tickets(turn.db, turn.user["id"])
    if rows:
        context.expect(turn, context.LISTED, data={"tickets": [r["id"] for r in rows]}, chat="")   # 「第二个…」
        return wording.my_tickets(rows, total)
    return wording.NO_WORK if is_staff(turn.user) else wording.NO_TICKETS


def status(turn: Turn) -> Reply | str:
    ticket_id = turn.parse.args["ticket"]
    try:
        ticket = tickets.get_ticket(turn.db, ticket_id)
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    if not tickets.may_see(turn.db, turn.user, ticket):
        return wording.no_such_ticket(ticket_id)   # never reveal that someone else's ticket exists
    follower = tickets.follows_only(turn.db, turn.user, ticket)
    if follower:
        ticket = tickets.follower_view(ticket)     # the public status: not the first reporter's words or notes
    deployment = turn.config.deployment
    handler = deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    if ticket["claimed_by"]:
        handler += f"（{get_user(turn.db, ticket['claimed_by']).get('display_name') or '已接单'}）"
    last = tickets.last_update(turn.db, ticket_id)
    tz = turn.config.settings.dispatch.timezone
    withdrawn = withdrawn_by_reporter(ticket, last)
    last_name = wording.WITHDRAWN if withdrawn else wording.STATE_NAMES.get(last["kind"], last["kind"])
    last_text = f"{local_text(last['at'], tz)[5:]} {last_name}"
    # A person's note says what was done (已换灯泡, 驳回的理由); the system's routing reasons are for staff.
    if last["kind"] != "received" and last["note"] and not follower and (last["actor"] != "system"
                                                                         or is_staff(turn.user)):
        last_text += f"（{last['note'][:40]}）"
    if any(t["id"] == ticket_id for t in tickets.awaiting_rating(turn.db, turn.config, turn.user["id"], turn.now)):
        context.expect(turn, context.RATING, ticket_id, chat="")    # a bare 「满意」 now rates this ticket
    photos = tickets.result_photos(turn.db, ticket_id)
    text = wording.status(ticket, handler, local_text(ticket["deadline_at"], tz), last_text, len(photos),
                          [] if follower else [p["url"] for p in photos], withdrawn)
    if staff_notes := notes.for_staff(turn, ticket_id):
        text += "\n" + staff_notes
    return Reply(text, ticket_id, "answered")
