"""帮办代办 in chat: 「代办 张阿姨 13800001234 广场花苑小区5栋 水管漏水」 (staff), and the resident's 「绑定 CODE」."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

import wording
from bot.conversation import staff
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from bot.services import Services
from dispatch import invites, proxies, throttle
from dispatch.clock import local_text
from dispatch.routing import route
from dispatch.users import is_staff


def file(turn: Turn) -> Reply | str:
    if not is_staff(turn.user):
        return wording.NOT_STAFF
    args = turn.parse.args
    return file_for(turn.services, turn.db, turn.user, args["name"], args["phone"], args["text"], turn.now,
                    turn.message_id)


def file_for(services: Services, db: Database, filer: dict[str, Any], name: str, phone: str, text: str,
             now: datetime, message_id: int | None = None) -> Reply:
    """File for the resident, as the chat's 「代办」 and the dashboard's 代办 form both do: the words (with their
    place) routed like a report; the reply carries the ticket, the masked phone and the resident's code."""
    config = services.config
    parse = services.engine.parse(text)
    the_route = route(parse, config.deployment, config.settings.nlu.review_threshold, None)
    ticket, code = proxies.file(db, config, filer, name, phone, parse, the_route, now, message_id)
    handler = config.deployment.handler_name(ticket["grid_id"], ticket["department_id"])
    deadline = local_text(ticket["deadline_at"], config.settings.dispatch.timezone)
    ack = wording.ack_report(ticket["id"], handler, deadline, the_route.needs_review, the_route.handling)
    return Reply(wording.proxy_filed(name, phone, ack, code), ticket["id"], "filed")


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
