"""Outbound delivery per channel. A sender takes (user row, text[, photos]) and raises when delivery fails.

Users of the JSON API and the web chat read their pushes from the outbox (GET /api/inbox), so for
them the outbox row is the delivery; WeChat and 企业微信 users are sent through their APIs.
"""

from __future__ import annotations

from typing import Any

from dispatch.outbox import Sender
from settings import Config

#: Channels whose clients read their pushes from the outbox themselves.
INBOX_CHANNELS = ("api", "web", "group", "import", "dashboard")   # dashboard: a 代办 filed from the dashboard


class UnknownChannel(Exception):
    """A user's channel has no sender configured."""


def _read_from_inbox(user: dict[str, Any], body: str, photos: Any = ()) -> None:
    """Delivered by the user's client reading GET /api/inbox (photos included); nothing to send."""


def build_sender(config: Config, extra: dict[str, Sender] | None = None) -> Sender:
    """One sender for all channels, choosing by the recipient's channel."""
    senders: dict[str, Sender] = {channel: _read_from_inbox for channel in INBOX_CHANNELS}
    senders.update(extra or {})

    def send(user: dict[str, Any], body: str, *photos: list[dict[str, Any]]) -> None:
        sender = senders.get(user["channel"])
        if sender is None:
            raise UnknownChannel(f"no sender for channel '{user['channel']}'")
        sender(user, body, *photos)

    return send


def channel_senders(config: Config) -> dict[str, Sender]:
    """The API senders of the enabled WeChat channels, for build_sender's ``extra``."""
    from bot.channels.wechat import WeChatChannel, WorkWeChatChannel

    senders: dict[str, Sender] = {}
    if config.settings.wechat.enabled:
        senders["wechat"] = WeChatChannel(config).send
    if config.settings.work_wechat.enabled:
        senders["work_wechat"] = WorkWeChatChannel(config).send
    return senders
