"""帮办代办 in chat: 「代办 张阿姨 13800001234 广场花苑小区5栋 水管漏水」 (staff), and the resident's 「绑定 CODE」."""

from __future__ import annotations

import wording
from bot.conversation import staff
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import invites, proxies, throttle
from dispatch.clock import local_text
from dispatch.routing import route
from dispatch.users import is_staff


def file(turn: Turn) -> Reply | str:
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    args = turn.parse.args
    parse = turn.services.engine.parse(args["text"])
    the_route = route(parse, turn.config.deployment, turn.config.settings.nlu.review_threshold, None)
    ticket, code = proxies.file(turn.db, turn.config, turn.user, args["name"], args["phone"], parse, the_route,
                                turn.now, turn.message_id)
    handler = turn.config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    deadline = local_text(ticket["deadline_at"], turn.config.settings.dispatch.timezone)
    ack = wording.ack_report(ticket["id"], handler, deadline, the_route.needs_review, the_route.handling)
    return Reply(wording.proxy_filed(args["name"], args["phone"], ack, code), ticket["id"], "filed")


def bind(turn: Turn) -> str:
    """A 代办 code links the resident to their ticket; any other code is a staff or volunteer invite."""
    locked = throttle.locked_for(turn.db, f"invite:{turn.user['id']}", turn.now.timestamp())
    try:
        row = None if locked else proxies.link(turn.db, turn.user["id"], turn.parse.args["code"], turn.now)
    except invites.InviteError as e:
        return wording.INVITE_PROBLEMS[e.reason]
    if row is None:
        return staff.bind(turn)
    return wording.proxy_linked(row["ticket_id"])
