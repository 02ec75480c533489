"""The API side of the stand-in: the endpoints the bot calls on api.weixin.qq.com and qyapi.weixin.qq.com.

It checks credentials and tokens as WeChat does (40013/40125 on a wrong app id or secret, 40001/42001 on a
bad or expired token), records every message sent, serves media, and can be told to fail:

    GET    /_standin/sent            what was sent, oldest first
    DELETE /_standin/sent            forget it (and every fault, token and media file)
    POST   /_standin/faults          {"down": n} → the next n API calls get HTTP 503;
                                     {"expire_tokens": true} → tokens issued so far answer 42001;
                                     {"errcode": 45009, "count": n} → the next n sends answer that error;
                                     {"slow": s, "count": n} → the next n sends are accepted, answered after s seconds
    POST   /_standin/media           raw image, video or audio body (Content-Type image/…, video/…, audio/…)
                                     → {"media_id"}; the bot fetches it through /cgi-bin/media/get as from WeChat
    POST   /cgi-bin/media/upload     WeChat's own upload (multipart "media", type=image) → {"type", "media_id"};
                                     image messages (msgtype image) must name a media id it holds
    GET    /_standin/pic/<media_id>  the picture (what a PicUrl points at)
    GET    /_standin/stats           {"tokens_issued", "api_calls"}
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request

TOKEN_SECONDS = 7200


@dataclass
class Accounts:
    """The credentials the stand-in accepts: an Official Account and a 企业微信 corp."""

    app_id: str
    app_secret: str
    corp_id: str = ""
    corp_secret: str = ""


@dataclass
class StandinState:
    accounts: Accounts
    sent: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)       # token → expiry (Unix seconds)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    down: int = 0
    fail_errcode: int = 0
    fail_count: int = 0
    slow_seconds: float = 0
    slow_count: int = 0
    tokens_issued: int = 0
    api_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.sent.clear()
            self.tokens.clear()
            self.media.clear()
            self.down = self.fail_errcode = self.fail_count = self.tokens_issued = self.api_calls = 0
            self.slow_seconds = self.slow_count = 0

    def issue_token(self) -> str:
        token = "TOKEN_" + secrets.token_hex(12)
        self.tokens[token] = time.time() + TOKEN_SECONDS
        self.tokens_issued += 1
        return token

    def add_media(self, content: bytes, content_type: str) -> str:
        media_id = "MEDIA_" + secrets.token_hex(10)
        with self.lock:
            self.media[media_id] = (content, content_type)
        return media_id


def _error(errcode: int, errmsg: str) -> Response:
    # WeChat answers API errors with HTTP 200 and a JSON body.
    return jsonify({"errcode": errcode, "errmsg": errmsg})


def _picture_type(data: bytes) -> str | None:
    """The image type of an upload sent without one (requests names a file part application/octet-stream)."""
    for magic, kind in ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
                        (b"RIFF", "image/webp")):
        if data.startswith(magic):
            return kind
    return None


def create_standin(accounts: Accounts, state: StandinState | None = None) -> Flask:
    state = state or StandinState(accounts)
    app = Flask("standin")
    app.config["STANDIN_STATE"] = state

    def outage() -> Response | None:
        with state.lock:
            state.api_calls += 1
            if state.down > 0:
                state.down -= 1
                return Response("service unavailable", status=503)
        return None

    def check_token() -> Response | None:
        token = request.args.get("access_token", "")
        expires = state.tokens.get(token)
        if expires is None:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if expires <= time.time():
            return _error(42001, "access_token expired")
        return None

    def injected() -> Response | None:
        with state.lock:
            if state.fail_count > 0:
                state.fail_count -= 1
                return _error(state.fail_errcode, "injected failure")
        return None

    def guard() -> Response | None:
        return outage() or check_token() or injected()

    def record(api: str, body: dict[str, Any]) -> Response:
        with state.lock:
            state.sent.append({"api": api, "at": time.time(), **body})
            slow = state.slow_seconds if state.slow_count > 0 else 0
            state.slow_count = max(0, state.slow_count - 1)
        time.sleep(slow)             # accepted, but the answer comes late (WeChat under load)
        return jsonify({"errcode": 0, "errmsg": "ok", "msgid": len(state.sent)})

    @app.get("/cgi-bin/token")
    def token():
        if (r := outage()) is not None:
            return r
        if request.args.get("appid") != accounts.app_id:
            return _error(40013, "invalid appid")
        if request.args.get("secret") != accounts.app_secret:
            return _error(40125, "invalid appsecret")
        with state.lock:
            return jsonify({"access_token": state.issue_token(), "expires_in": TOKEN_SECONDS})

    @app.get("/cgi-bin/gettoken")
    def gettoken():
        if (r := outage()) is not None:
            return r
        if request.args.get("corpid") != accounts.corp_id or request.args.get("corpsecret") != accounts.corp_secret:
            return _error(40001, "invalid corpid or corpsecret")
        with state.lock:
            return jsonify({"errcode": 0, "errmsg": "ok", "access_token": state.issue_token(),
                            "expires_in": TOKEN_SECONDS})

    @app.post("/cgi-bin/message/custom/send")
    def custom_send():
        if (r := guard()) is not None:
            return r
        body = request.get_json(force=True, silent=True) or {}
        if body.get("msgtype") not in ("text", "image") or not body.get("touser"):
            return _error(40008, "invalid message type")
        if (said := content(body)) is None:
            return _error(40007, "invalid media_id")
        return record("custom", {"touser": body["touser"], **said})

    @app.post("/cgi-bin/message/template/send")
    def template_send():
        if (r := guard()) is not None:
            return r
        body = request.get_json(force=True, silent=True) or {}
        if not body.get("template_id") or not body.get("touser"):
            return _error(40037, "invalid template_id")
        data = body.get("data") or {}
        text = "\n".join(v.get("value", "") for v in data.values() if isinstance(v, dict))
        return record("template", {"touser": body["touser"], "template_id": body["template_id"], "text": text,
                                   "data": data})

    @app.post("/cgi-bin/message/send")
    def work_send():
        if (r := guard()) is not None:
            return r
        body = request.get_json(force=True, silent=True) or {}
        if body.get("msgtype") not in ("text", "image") or not body.get("touser"):
            return _error(40008, "invalid message type")
        if (said := content(body)) is None:
            return _error(40007, "invalid media_id")
        return record("work", {"touser": body["touser"], "agentid": body.get("agentid"), **said})

    def content(body: dict[str, Any]) -> dict[str, Any] | None:
        """What a text or image message says: its text, or the picture's media id; None for a media id the
        stand-in never issued."""
        if body["msgtype"] == "text":
            return {"msgtype": "text", "text": (body.get("text") or {}).get("content", "")}
        media_id = (body.get("image") or {}).get("media_id", "")
        return {"msgtype": "image", "text": "", "media_id": media_id} if media_id in state.media else None

    @app.post("/cgi-bin/media/upload")
    def media_upload():
        if (r := guard()) is not None:
            return r
        upload = request.files.get("media")
        if request.args.get("type") != "image" or upload is None:
            return _error(40004, "invalid media type")
        data = upload.read()
        kind = upload.mimetype if upload.mimetype.startswith("image/") else _picture_type(data)
        if kind is None:
            return _error(40005, "invalid file type")
        return jsonify({"type": "image", "media_id": state.add_media(data, kind), "created_at": int(time.time())})

    @app.get("/cgi-bin/media/get")
    def media_get():
        if (r := guard()) is not None:
            return r
        item = state.media.get(request.args.get("media_id", ""))
        if item is None:
            return _error(40007, "invalid media_id")
        # WeChat says a file's length up front, as a download of a large video would show it.
        return Response(item[0], content_type=item[1], headers={"Content-Length": str(len(item[0]))})

    @app.post("/cgi-bin/qrcode/create")
    def qrcode_create():
        """A QR code with a scene (帮办二维码): the ticket and the URL it encodes, as WeChat answers."""
        if (r := guard()) is not None:
            return r
        body = request.get_json(force=True, silent=True) or {}
        scene = (body.get("action_info") or {}).get("scene") or {}
        if body.get("action_name") not in ("QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE") \
                or not scene:
            return _error(40097, "invalid args")
        ticket = "QR_" + secrets.token_hex(12)
        record("qrcode", {"touser": "", "scene": scene, "ticket": ticket})
        answer = {"ticket": ticket, "url": f"http://weixin.qq.com/q/{ticket}"}
        if "LIMIT" not in body["action_name"]:
            answer["expire_seconds"] = int(body.get("expire_seconds") or 60)
        return jsonify(answer)

    @app.get("/_standin/sent")
    def sent():
        with state.lock:
            return jsonify(list(state.sent))

    @app.delete("/_standin/sent")
    def reset():
        state.reset()
        return jsonify({"ok": True})

    @app.post("/_standin/faults")
    def faults():
        body = request.get_json(force=True, silent=True) or {}
        with state.lock:
            state.down = int(body.get("down", state.down))
            if body.get("expire_tokens"):
                state.tokens = {t: 0.0 for t in state.tokens}
            if body.get("errcode"):
                state.fail_errcode, state.fail_count = int(body["errcode"]), int(body.get("count", 1))
            if body.get("slow"):
                state.slow_seconds, state.slow_count = float(body["slow"]), int(body.get("count", 1))
        return jsonify({"ok": True})

    @app.post("/_standin/media")
    def media_add():
        content_type = request.content_type or ""
        if not content_type.startswith(("image/", "video/", "audio/")):
            return _error(40005, "invalid file type")
        return jsonify({"media_id": state.add_media(request.get_data(), content_type)})

    @app.get("/_standin/pic/<media_id>")
    def pic(media_id: str):
        item = state.media.get(media_id)
        if item is None:
            return Response("not found", status=404)
        return Response(item[0], content_type=item[1])

    @app.get("/_standin/stats")
    def stats():
        return jsonify({"tokens_issued": state.tokens_issued, "api_calls": state.api_calls})

    return app
