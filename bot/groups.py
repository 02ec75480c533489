"""POST /api/groups/messages: group chats, through a connector that forwards each group message.

    {"group": "fengchao", "sender": "wxid_abc", "name"?: "小李", "text": "…", "photos"?: […], "msg_id"?: "…"}
    → {"ok": true, "reply": "" or what to post in the group, "ticket": id or null,
       "private": "" or what to tell the sender 1:1 (also queued for them: GET /api/inbox)}

A group is mostly chatter; thanks, greetings and emoji-only lines are dropped before the conversation
sees them, so they make no ticket and no reply. Needs the API key (X-Api-Key).
"""

from __future__ import annotations

import re

from flask import Blueprint, Flask, jsonify

from bot.api import _json_body, inbound_from_json, require_api_key
from bot.chatlog import is_chatter
from bot.conversation import handle
from bot.db import get_db, get_services
from bot.errors import ApiError
from dispatch.clock import utcnow

bp = Blueprint("groups", __name__, url_prefix="/api/groups")

#: 「@三单 我的积分」: the @names a line starts with (WeChat puts a U+2005 space after each).
_MENTIONS = re.compile(r"^\s*(?:@[^\s\u2005@]{1,32}[\s\u2005]+)+")


def without_mentions(text: str) -> str:
    """The words of a group line without the @names it starts with, so 「@三单 积分」 reads as the command 积分."""
    return _MENTIONS.sub("", text) if text else text


@bp.post("/messages")
def post_group_message():
    require_api_key()
    services = get_services()
    body = _json_body()
    group = body.get("group")
    if not isinstance(group, str) or group not in services.config.deployment.groups:
        raise ApiError(400, "group 必须是部署文件 groups 里的群编号")
    inbound = inbound_from_json({**body, "chat": group}, channel="group")
    inbound.text = without_mentions(inbound.text)
    if not inbound.photos and is_chatter(inbound.text, services.engine):
        return jsonify({"ok": True, "reply": "", "ticket": None, "private": ""})
    reply = handle(services, get_db(), inbound, utcnow())
    return jsonify({"ok": True, "reply": reply.text, "ticket": reply.ticket, "private": reply.private})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
