"""A local WeChat stand-in: the API the bot calls, and WeChat's servers calling the bot.

``standin.server`` serves /cgi-bin/token, message/custom/send, message/template/send, media/get, qrcode/create and the
企业微信 gettoken and message/send, records what was sent and can be told to fail. ``standin.client``
signs and encrypts messages exactly as WeChat's servers do and posts them to the bot's callback URL.
The bot never knows the difference: it only sees its configured API base URL and signed callbacks.
"""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from standin.server import Accounts, StandinState, create_standin


def accounts_from_config(config: Any) -> Accounts:
    """The credentials of the bot's config, so the stand-in accepts exactly the bot's app."""
    wechat, work = config.settings.wechat, config.settings.work_wechat
    return Accounts(wechat.app_id, wechat.app_secret, work.corp_id, work.secret)


def serve_in_thread(accounts: Accounts, host: str = "127.0.0.1", port: int = 0
                    ) -> tuple[BaseWSGIServer, StandinState, threading.Thread]:
    """Start the stand-in API on a background thread; port 0 picks a free one (server.server_port)."""
    state = StandinState(accounts)
    server = make_server(host, port, create_standin(accounts, state), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="wechat-standin", daemon=True)
    thread.start()
    return server, state, thread


__all__ = ["Accounts", "StandinState", "accounts_from_config", "create_standin", "serve_in_thread"]
