"""The bare baseline for bench/webhook.py: a wechatpy safe-mode echo on Flask, nothing else.

It verifies the signature, decrypts, parses, and encrypts a text reply that repeats the message —
the WeChat protocol cost with no NLU, no store and no outbox. Served by gunicorn exactly like the bot:

    gunicorn -w 2 -k gthread --threads 4 --pythonpath bench 'echo_app:create_echo_app("config.yaml")'
"""

from __future__ import annotations

from pathlib import Path

import yaml
from flask import Flask, Response, abort, request
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature


def create_echo_app(config_path: str = "config.yaml") -> Flask:
    """The echo for the Official Account credentials in a config.yaml's wechat section."""
    wechat = yaml.safe_load(Path(config_path).read_text(encoding="utf-8"))["wechat"]
    crypto = WeChatCrypto(wechat["token"], wechat["aes_key"], wechat["app_id"])
    app = Flask(__name__)

    @app.post("/wechat")
    def echo() -> Response:
        args = request.args
        try:
            check_signature(wechat["token"], args["signature"], args["timestamp"], args["nonce"])
            xml = crypto.decrypt_message(request.get_data(), args["msg_signature"], args["timestamp"], args["nonce"])
        except (KeyError, InvalidSignatureException):
            abort(403)
        message = parse_message(xml)
        reply = create_reply(getattr(message, "content", ""), message).render()
        return Response(crypto.encrypt_message(reply, args["nonce"], args["timestamp"]),
                        content_type="application/xml; charset=utf-8")

    return app
