"""Staff chat commands: 接单, 办结, 处理中, 转交, 派单 / 改派, 退回, 驳回, 合并, 联席, 联席会议, 绑定.

Each handler checks who is speaking, calls one dispatch function and turns its errors into a sentence.
"""

from __future__ import annotations

from typing import Callable

import wording
from bot.conversation.turn import Turn
from dispatch import invites, joint, tickets
from dispatch.routing import UnknownTarget
from dispatch.states import TransitionError
from dispatch.users import is_staff


def _guarded(turn: Turn, action: Callable[[], str]) -> str:
    """Run a staff action; the usual refusals become plain sentences."""
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    ticket_id = turn.parse.args.get("ticket", 0)
    try:
        return action()
    except tickets.TicketNotFound:
        return wording.no_such_ticket(ticket_id)
    except tickets.NotAllowed:
        if turn.parse.intent == "send_back" and turn.user.get("role") != "department":
            return wording.SEND_BACK_IS_FOR_DEPARTMENTS
        return wording.NOT_DISPATCHER if turn.parse.intent in ("reassign", "reject", "merge", "joint") \
            else wording.NOT_ALLOWED
    except UnknownTarget as e:
        return wording.unknown_target(e.target, e.candidates, e.hint)
    except tickets.NeedsReason:
        return wording.SEND_BACK_NEEDS_REASON if turn.parse.intent == "send_back" else wording.REJECT_NEEDS_REASON
    except tickets.AlreadyAssigned as e:
        return wording.already_assigned(e.ticket_id, e.current)
    except tickets.AlreadyClaimed as e:
        return wording.claimed_by_other(ticket_id, e.who)
    except TransitionError as e:
        if turn.parse.intent == "start" and e.current == "in_progress":
            return wording.already_in_progress(e.ticket_id)
        return wording.wrong_state(e.ticket_id, e.current)


def start(turn: Turn) -> str:
    def act() -> str:
        t = tickets.start(turn.db, turn.config, turn.parse.args["ticket"], turn.user,
                          turn.parse.args.get("note", ""), turn.now)
        return wording.started(t["id"])
    return _guarded(turn, act)


def transfer(turn: Turn) -> str:
    def act() -> str:
        t = tickets.transfer(turn.db, turn.config, turn.parse.args["ticket"], turn.user,
                             turn.parse.args["target"], turn.parse.args.get("note", ""), turn.now)
        return wording.transferred_reply(t["id"], turn.config.deployment.handler_name(None, t["department_id"]))
    return _guarded(turn, act)


def reassign(turn: Turn) -> str:
    def act() -> str:
        t = tickets.reassign(turn.db, turn.config, turn.parse.args["ticket"], turn.user, turn.parse.args["target"],
                             turn.now, turn.parse.args.get("note", ""))
        return wording.assigned_reply(t["id"], turn.config.deployment.handler_name(t["grid_id"], t["department_id"]))
    return _guarded(turn, act)


def send_back(turn: Turn) -> str:
    def act() -> str:
        t = tickets.send_back(turn.db, turn.config, turn.parse.args["ticket"], turn.user,
                              turn.parse.args.get("note", ""), turn.now)
        return wording.sent_back_reply(t["id"], turn.config.deployment.handler_name(t["grid_id"], None))
    return _guarded(turn, act)


def reject(turn: Turn) -> str:
    def act() -> str:
        t = tickets.reject(turn.db, turn.config, turn.parse.args["ticket"], turn.user,
                           turn.parse.args.get("note", ""), turn.now)
        return wording.rejected_reply(t["id"])
    return _guarded(turn, act)


def merge(turn: Turn) -> str:
    def act() -> str:
        tickets.merge(turn.db, turn.config, turn.parse.args["ticket"], turn.parse.args["into"], turn.user, turn.now)
        return wording.merged_reply(turn.parse.args["ticket"], turn.parse.args["into"])
    return _guarded(turn, act)


def joint_mark(turn: Turn) -> str:
    def act() -> str:
        ticket = tickets.get_ticket(turn.db, turn.parse.args["ticket"])
        if not tickets.may_dispatch(turn.user, ticket):
            raise tickets.NotAllowed(ticket["id"])
        reason = turn.parse.args.get("note") or "社区提请联席会议"
        added = joint.mark(turn.db, turn.config, ticket, turn.user["id"], reason, turn.now)
        return wording.joint_added(ticket["id"], added)
    return _guarded(turn, act)


def joint_settle(turn: Turn) -> str:
    def act() -> str:
        ticket = tickets.get_ticket(turn.db, turn.parse.args["ticket"])
        if not tickets.may_dispatch(turn.user, ticket):
            raise tickets.NotAllowed(ticket["id"])
        done = joint.settle(turn.db, ticket["id"], turn.user["id"], turn.parse.args.get("note", ""), turn.now)
        return wording.joint_settled(ticket["id"]) if done else wording.NO_JOINT_ITEMS
    return _guarded(turn, act)


def joint_list(turn: Turn) -> str:
    if turn.user.get("role") not in ("dispatcher", "leader", "admin"):
        return wording.NOT_DISPATCHER
    rows = joint.agenda(turn.db, turn.user.get("community_id") if turn.user.get("role") == "dispatcher" else None)
    if not rows:
        return wording.NO_JOINT_ITEMS
    return wording.joint_agenda(rows, lambda d: turn.config.deployment.handler_name(None, d))


def bind(turn: Turn) -> str:
    try:
        invite = invites.bind(turn.db, turn.user["id"], turn.parse.args["code"], turn.now, turn.config.settings.limits)
    except invites.InviteError as e:
        return wording.INVITE_PROBLEMS.get(e.reason, wording.INVITE_PROBLEMS["invalid"])
    d = turn.config.deployment
    scope = ""
    if invite["grid_id"]:
        scope = d.handler_name(invite["grid_id"], None)
    elif invite["department_id"]:
        scope = d.handler_name(None, invite["department_id"])
    elif (community := d.community(invite["community_id"])) is not None:
        scope = community.name
    return wording.bound(invite["role"], scope)


def claim(turn: Turn) -> str:
    def act() -> str:
        tickets.claim(turn.db, turn.config, turn.parse.args["ticket"], turn.user, turn.now)
        return wording.claimed(turn.parse.args["ticket"])
    return _guarded(turn, act)


def resolve(turn: Turn) -> str:
    def act() -> str:
        tickets.resolve(turn.db, turn.config, turn.parse.args["ticket"], turn.user, turn.parse.args.get("note", ""),
                        turn.now, turn.inbound.photos)
        return wording.resolved(turn.parse.args["ticket"])
    return _guarded(turn, act)
