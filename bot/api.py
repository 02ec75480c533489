"""The JSON API: a channel for integrations, group-chat connectors and the web chat.

POST /api/messages   {"sender", "text", "photos"?, "location"?, "location_label"?, "chat"?, "msg_id"?}
                     → {"ok", "reply", "ticket", "outcome", "user"}
GET  /api/inbox      ?user=ID&after=N → the pushes queued for that user
Both need the API key in the X-Api-Key header.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from flask import Blueprint, Flask, jsonify, request

from bot.conversation import handle
from bot.db import get_db, get_services
from bot.errors import ApiError
from bot.inbound import Inbound
from dispatch import outbox
from dispatch.tickets import on_earth
from dispatch.clock import utcnow

bp = Blueprint("api", __name__, url_prefix="/api")


def require_api_key() -> None:
    expected = get_services().config.settings.web.api_key
    given = request.headers.get("X-Api-Key", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "缺少或错误的 API 密钥（请求头 X-Api-Key）")


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "请求体必须是 JSON 对象")
    return body


def inbound_from_json(body: dict[str, Any], channel: str = "api") -> Inbound:
    sender = body.get("sender")
    text = body.get("text", "")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 128:
        raise ApiError(400, "sender 必须是非空字符串")
    if not isinstance(text, str):
        raise ApiError(400, "text 必须是字符串")
    photos = body.get("photos") or []
    if not isinstance(photos, list) or not all(isinstance(p, (str, dict)) for p in photos):
        raise ApiError(400, "photos 必须是图片地址的列表")
    location = body.get("location")
    if location is not None:
        try:
            location = (float(location[0]), float(location[1]))
        except (TypeError, ValueError, IndexError, KeyError):
            raise ApiError(400, "location 必须是 [纬度, 经度]")
        if not on_earth(*location):
            raise ApiError(400, "location 不是地球上的点：纬度 -90 到 90，经度 -180 到 180")
    label = body.get("location_label") or ""
    if not isinstance(label, str):
        raise ApiError(400, "location_label 必须是字符串")
    return Inbound(
        channel=channel, sender=sender.strip(), msg_id=str(body.get("msg_id") or uuid.uuid4().hex), text=text,
        photos=[p if isinstance(p, dict) else {"url": p} for p in photos], location=location,
        location_label=label.strip()[:100] if location else "",
        chat=body.get("chat") or None, kind="image" if photos and not text else "text",
        display_name=str(body.get("name", ""))[:64],
    )


@bp.post("/messages")
def post_message():
    require_api_key()
    inbound = inbound_from_json(_json_body())
    reply = handle(get_services(), get_db(), inbound, utcnow())
    return jsonify({"ok": True, "reply": reply.text, "ticket": reply.ticket, "outcome": reply.outcome,
                    "user": inbound.user_id})


@bp.get("/inbox")
def get_inbox():
    require_api_key()
    user = request.args.get("user", "")
    try:
        after = int(request.args.get("after", "0"))
    except ValueError:
        raise ApiError(400, "after 必须是整数")
    return jsonify({"ok": True, "messages": outbox.inbox(get_db(), user, after)})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
