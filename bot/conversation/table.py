"""The handler table: one entry per command or intent, written out so a reader sees every one in one place.

A module that adds a command adds its line here; nothing registers itself on import.
"""

from __future__ import annotations

import wording
from bot.conversation import basics, desk, emergency, evidence, follows, points, ratings, reports, staff, status
from bot.conversation import cohandling, decisions, extensions, notes
from bot.conversation import followups, proxies, teams, volunteers, wishes
from bot.conversation.reply import Reply, as_reply
from bot.conversation.turn import Handler, Turn

HANDLERS: dict[str, Handler] = {
    # residents and riders
    "report": reports.report,
    "question": reports.question,
    "human": reports.human,
    "my_tickets": followups.my_tickets,  # status.my_tickets, and a dispatcher's 回访 count
    "status": status.status,
    "withdraw": status.withdraw,
    "rate": ratings.rate,
    # points
    "points": points.my_points,
    "leaderboard": points.leaderboard,
    "redeem": points.redeem,
    # rider teams and chosen names (teams.py)
    "choose_name": teams.choose_name,
    "join_team": teams.join,
    "leave_team": teams.leave,
    "my_team": teams.my_team,
    "team_leaderboard": teams.leaderboard,
    # staff
    "claim": volunteers.claim,         # a volunteer's 认领 of a 征集 task; staff get 接单
    "start": staff.start,
    "resolve": volunteers.report,      # a volunteer's 完成; staff: the lead closes once every 协办 part is done
    "transfer": staff.transfer,
    "reassign": staff.reassign,
    "send_back": staff.send_back,
    "reject": staff.reject,
    "merge": staff.merge,
    "joint": staff.joint_mark,
    "joint_settle": decisions.settle,  # recorded, the lead assigned, everyone told
    "joint_list": staff.joint_list,
    "bind": proxies.bind,              # a 代办 code links the resident; other codes bind staff and volunteers
    # the community's desk: the review queue, answers, a grid's 退回审核, emergencies confirmed
    "answer": desk.answer,
    "save_answer": desk.save_answer,
    "back_to_review": desk.back_to_review,
    "missing_target": desk.ask_target,
    "acknowledge": emergency.acknowledge,
    # working together (extensions.py)
    "extend": extensions.ask,
    "decide_extension": extensions.decide,
    "internal_note": notes.add,
    "co_handle": cohandling.add,
    "part_done": cohandling.finish,
    # volunteers (volunteers.py)
    "volunteer_profile": volunteers.set_profile,
    "volunteer_call": volunteers.open_call,
    "volunteer_confirm": volunteers.confirm,
    "proxy_report": proxies.file,      # 帮办代办 (proxies.py)
    "wish_post": wishes.post,          # 微心愿 (wishes.py): wish numbers are their own, apart from tickets
    "wish_list": wishes.listing,
    "my_wishes": wishes.mine,
    "wish_status": wishes.status,
    "wish_claim": wishes.claim,
    "wish_done": wishes.done,
    "wish_confirm": wishes.confirm,
    "wish_not_done": wishes.not_done,
    "wish_withdraw": wishes.withdraw,
    "followup": followups.record,      # 回访 (followups.py)
    "followup_list": followups.listing,
    # small talk and events
    "greeting": basics.greeting,
    "chitchat": basics.chitchat,
    "photo": basics.chitchat,
    "help": basics.help_,
    "missing_number": basics.missing_number,
    "event": follows.event,
    "voice": evidence.voice_for_a_person,
    "link": evidence.link,
}


def run(turn: Turn, intent: str | None = None) -> Reply:
    """The handler for the message's intent (or the one named); an intent nobody handles gets a plain sentence."""
    handler = HANDLERS.get(intent or turn.parse.intent)
    return as_reply(handler(turn)) if handler else Reply(wording.unknown_command(turn.parse.text))
