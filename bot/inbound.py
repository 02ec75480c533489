"""One incoming message, the same shape whatever channel it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from dispatch.tickets import on_earth


@dataclass
class Inbound:
    channel: str                          # wechat | work_wechat | web | api | group | import
    sender: str                           # the sender's id on that channel (openid, user name…)
    msg_id: str                           # the channel's message id: the idempotency key
    text: str = ""
    photos: list[dict[str, str]] = field(default_factory=list)   # {"url": …, "media_id": …, "path": …}
    location: tuple[float, float] | None = None
    location_label: str = ""
    chat: str | None = None               # group id; None for a 1:1 chat
    kind: str = "text"                    # text | image | voice | location | event
    display_name: str = ""
    sent_at: datetime | None = None       # when it was written, if long before it reached us (a chat log's line)

    def __post_init__(self) -> None:
        if self.location is not None and not on_earth(*self.location):
            self.location, self.location_label = None, ""      # a channel's impossible point: no point at all

    @property
    def user_id(self) -> str:
        return f"{self.channel}:{self.sender}"
