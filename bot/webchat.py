"""/chat: a WeChat-style web chat for demos and training, driving the same conversation pipeline.

A visitor picks a persona (a resident, a rider, a grid secretary, the community dispatcher) and talks to
the bot 1:1 or in the riders' group. Messages go through conversation.handle on the "demo" channel: the
staff personas (demo:sec-longxi-1 …) take the roles of the deployment's staff of the same name, but live in
a world of their own (dispatch.users.DEMO_CHANNEL): they see, act on and are pushed only the demo's
tickets, never a real resident's. Pushes are read from the outbox. There is no login, so the page is off
unless web.demo_chat is set (``sandan demo`` sets it), and the server says so loudly when it starts.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from flask import Blueprint, Flask, abort, jsonify, render_template, request

import wording
from bot.conversation import handle
from bot.db import get_db, get_services
from bot.errors import ApiError
from bot.inbound import Inbound
from bot.media_response import stored_file
from dispatch import media as media_files
from dispatch import messages, outbox
from dispatch.clock import utcnow
from dispatch.scenes import scene_for
from dispatch.store import connect, row_id, transaction
from dispatch.users import DEMO_CHANNEL, set_role
from settings import Config

log = logging.getLogger(__name__)

bp = Blueprint("webchat", __name__, url_prefix="/chat", template_folder="templates", static_folder="static",
               static_url_path="/static")

MAX_PHOTO_BYTES = 5 * 1024 * 1024
#: Magic numbers of the picture types the chat accepts, and the extension each is saved with.
PICTURE_TYPES = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"),
                 (b"GIF89a", ".gif"), (b"RIFF", ".webp"))
GROUP = "fengchao"


@dataclass(frozen=True)
class Persona:
    id: str            # the demo channel's sender id: the user is "demo:<id>"
    name: str
    role: str          # what the picker shows

    @property
    def user_id(self) -> str:
        return f"{DEMO_CHANNEL}:{self.id}"


#: People who are not staff; the staff personas come from the deployment.
CITIZENS = (Persona("resident-zhang", "张阿姨", "居民"), Persona("rider-li", "小李", "骑手"),
            Persona("rider-chen", "小陈", "骑手"))


def personas(config: Config) -> list[Persona]:
    """The residents and riders, then the grid secretaries and dispatcher of the first community."""
    deployment = config.deployment
    first = deployment.communities[0]
    grids = {g.id for g in first.grids}
    staff = [Persona(s.user.partition(":")[2], s.name, wording.ROLE_NAMES[s.role]) for s in deployment.staff
             if s.user.startswith("api:") and ((s.role == "grid_secretary" and s.grid in grids)
                                               or (s.role == "dispatcher" and s.community == first.id))]
    return [*CITIZENS, *staff]


def bind_personas(config: Config, db_path: str) -> None:
    """The staff personas take their deployment namesakes' roles, on the demo channel."""
    staff = {s.user.partition(":")[2]: s for s in config.deployment.staff if s.user.startswith("api:")}
    db = connect(db_path)
    try:
        with transaction(db):
            for p in personas(config):
                if (s := staff.get(p.id)) is not None:
                    community = s.community or (c.id if (c := config.deployment.community_of_grid(s.grid)) else None)
                    set_role(db, p.user_id, s.role, utcnow(), s.grid, s.department, community, s.name)
    finally:
        db.close()


def _config() -> Config:
    config = get_services().config
    if not config.settings.web.demo_chat:
        abort(404)
    return config


def _persona(config: Config, persona_id: str) -> Persona:
    found = next((p for p in personas(config) if p.id == persona_id), None)
    if found is None:
        raise ApiError(400, "没有这个身份")
    return found


def _group(config: Config, chat: str) -> str | None:
    if not chat:
        return None
    if chat not in config.deployment.groups:
        raise ApiError(400, "没有这个群")
    return chat


def save_photo(config: Config, data: bytes, db: Any = None) -> dict[str, str]:
    """Store an uploaded picture where the deployment keeps media; only real pictures of a known type are kept."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError(413, wording.CHAT_PHOTO_TOO_BIG)
    ext = next((e for magic, e in PICTURE_TYPES if data.startswith(magic)), None)
    if ext is None or (ext == ".webp" and data[8:12] != b"WEBP"):
        raise ApiError(400, wording.CHAT_PHOTO_BAD)
    files = media_files.for_config(config)
    name = uuid.uuid4().hex + ext
    return {"url": f"/chat/media/{name}", "path": files.save(files.key("chat", name), data, db)}


def _chat_photos(raw: str) -> list[str]:
    """The photo addresses the page may show: only pictures stored by this chat."""
    return [p["url"] for p in json.loads(raw or "[]")
            if isinstance(p, dict) and str(p.get("url", "")).startswith("/chat/media/")]


@bp.get("")
def page():
    config = _config()
    groups = {GROUP: config.deployment.groups[GROUP]} if GROUP in config.deployment.groups else {}
    scanned = {"place": request.args.get("place", "")[:40], "building": request.args.get("building", "")[:10]}
    return render_template("chat.html", personas=[asdict(p) for p in personas(config)], groups=groups,
                           notice=wording.CHAT_DEMO_NOTICE, scanned=scanned)


@bp.post("/scan")
def scan():
    """The page was opened from a 帮办二维码 (/chat?place=…): the same scan the WeChat event makes, for this persona."""
    config = _config()
    persona = _persona(config, request.form.get("persona", ""))
    place, building = request.form.get("place", "")[:40], request.form.get("building", "")[:10]
    msg_id = request.form.get("msg_id", "")[:64] or uuid.uuid4().hex
    inbound = Inbound(channel=DEMO_CHANNEL, sender=persona.id, msg_id=f"chat-scan:{msg_id}", kind="event",
                      text="scan", scene=scene_for(place, building) if place else "", display_name=persona.name)
    reply = handle(get_services(), get_db(), inbound, utcnow())
    return jsonify({"ok": True, "reply": reply.text})


@bp.post("/send")
def send():
    config = _config()
    persona = _persona(config, request.form.get("persona", ""))
    chat = _group(config, request.form.get("chat", ""))
    text = request.form.get("text", "").strip()
    photos = [save_photo(config, f.read(), get_db()) for f in request.files.getlist("photo") if f.filename]
    if not text and not photos:
        raise ApiError(400, "请输入文字或选择照片")
    msg_id = request.form.get("msg_id", "")[:64] or uuid.uuid4().hex
    inbound = Inbound(channel=DEMO_CHANNEL, sender=persona.id, msg_id=f"chat:{msg_id}", text=text, photos=photos,
                      chat=chat, kind="image" if photos and not text else "text", display_name=persona.name)
    reply = handle(get_services(), get_db(), inbound, utcnow())
    return jsonify({"ok": True, "reply": reply.text})


@bp.get("/updates")
def updates():
    """What the persona's screen should add: its 1:1 messages and replies, pushes, and the group's talk."""
    config = _config()
    persona = _persona(config, request.args.get("persona", ""))
    try:
        after = {k: row_id(int(request.args.get(k, "0"))) for k in ("direct", "push", "group")}
    except ValueError:
        raise ApiError(400, "after 必须是整数")
    db = get_db()
    user = persona.user_id
    direct = [{"id": r["id"], "text": "" if r["kind"] == "event" else r["text"], "photos": _chat_photos(r["photos"]),
               "reply": r["reply"] or "", "at": r["received_at"]}
              for r in messages.direct_messages(db, user, after["direct"])]
    pushes = [{"id": m["id"], "text": m["body"], "at": m["created_at"],
               "photos": [u for u in m["photos"] if u.startswith("/chat/media/")]}   # a thumbnail of this chat's own
              for m in outbox.inbox(db, user, after["push"], limit=100)]
    names = {p.user_id: p.name for p in personas(config)}
    group = [{"id": r["id"], "mine": r["sender"] == user,
              "name": names.get(r["sender"]) or r["display_name"] or "群成员", "text": r["text"],
              "photos": _chat_photos(r["photos"]), "reply": r["reply"] or "", "at": r["received_at"]}
             for r in messages.group_messages(db, GROUP, after["group"], channel=DEMO_CHANNEL)]
    return jsonify({"ok": True, "direct": direct, "pushes": pushes, "group": group})


@bp.get("/media/<name>")
def media(name: str):
    files = media_files.for_config(_config())
    if "/" in name or name.startswith("."):
        abort(404)
    return stored_file(files, files.key("chat", name), get_db(), max_age=3600)


def init_app(app: Flask) -> None:
    config = app.config["SANDAN_SERVICES"].config
    if config.settings.web.demo_chat:
        log.warning("%s", wording.DEMO_CHAT_ON_WARNING)
        bind_personas(config, app.config["SANDAN_DB_PATH"])
    app.register_blueprint(bp)

