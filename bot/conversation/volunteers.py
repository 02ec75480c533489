"""Volunteers in chat: 「我的服务时间 周末」, 「征集 12」 (grid / dispatcher), 「认领 12」 and 「完成 12 …」 (volunteer),
「确认 12」 (grid / dispatcher). Staff who type 认领 or 完成 get the staff commands, as before."""

from __future__ import annotations

import wording
from bot.conversation import cohandling, staff
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import tickets, volunteers
from dispatch.users import is_staff

#: 「我的X …」 → the roster field it sets.
FIELDS = {"服务时间": "free_times", "空闲时间": "free_times", "特长": "skills", "技能": "skills"}


def is_volunteer(turn: Turn) -> bool:
    return turn.user.get("role") == volunteers.ROLE


def set_profile(turn: Turn) -> str:
    if not is_volunteer(turn):
        return wording.NOT_VOLUNTEER
    field = FIELDS[turn.parse.args["field"]]
    row = volunteers.set_profile(turn.db, turn.user["id"], turn.now, **{field: turn.parse.args["value"]})
    return wording.volunteer_profile_saved(volunteers.name_of(turn.user), row["skills"], row["free_times"])


def open_call(turn: Turn) -> str:
    def act() -> str:
        call = volunteers.open_task(turn.db, turn.config, turn.parse.args["ticket"], turn.user, turn.now)
        return wording.volunteer_call_sent(turn.parse.args["ticket"], call.told, call.matched, call.groups)
    return staff._guarded(turn, act)  # the usual refusals (no such ticket, not yours, wrong state)


def claim(turn: Turn) -> Reply | str:
    """「认领 12」: a volunteer claims a task opened to them; staff get the staff 接单. A resident or rider who
    types 认领 is told how to become a volunteer; one who types 接单, that the command is for staff."""
    if not is_volunteer(turn):
        if turn.parse.args.get("verb") == "认领" and not is_staff(turn.user):
            return wording.NOT_VOLUNTEER
        return staff.claim(turn)
    ticket_id = turn.parse.args["ticket"]
    try:
        volunteers.claim(turn.db, ticket_id, turn.user, turn.now)
    except volunteers.NotOpen:
        return wording.volunteer_not_open(ticket_id)
    except volunteers.Taken as e:
        return wording.volunteer_taken(ticket_id, e.holder)
    return Reply(wording.volunteer_claimed_reply(ticket_id), ticket_id)


def report(turn: Turn) -> Reply | str:
    """「完成 12 已换好灯泡」 (with a photo): a volunteer reports back; staff get their 办结."""
    if not is_volunteer(turn):
        return cohandling.resolve(turn)
    ticket_id = turn.parse.args["ticket"]
    try:
        volunteers.report(turn.db, ticket_id, turn.user, turn.parse.args.get("note", ""), turn.inbound.photos,
                          turn.now)
    except volunteers.NotYours:
        return wording.volunteer_not_yours(ticket_id)
    except tickets.NeedsReason:
        return wording.VOLUNTEER_REPORT_HOW
    return Reply(wording.volunteer_reported_reply(ticket_id), ticket_id)


def confirm(turn: Turn) -> str:
    def act() -> str:
        ticket_id = turn.parse.args["ticket"]
        try:
            volunteers.confirm(turn.db, turn.config, ticket_id, turn.user, turn.now)
        except volunteers.NothingToConfirm:
            return wording.nothing_to_confirm(ticket_id)
        return wording.volunteer_confirm_reply(ticket_id)
    return staff._guarded(turn, act)  # the usual refusals (no such ticket, not yours, wrong state)


def service_line(turn: Turn) -> str:
    """The line 积分 adds for a volunteer (or anyone with confirmed service): tasks and hours; "" otherwise."""
    tasks, hours = volunteers.service(turn.db, turn.user["id"])
    return wording.volunteer_service_line(tasks, hours) if tasks or is_volunteer(turn) else ""
