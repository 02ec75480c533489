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
    # evidence: {"kind": photo|video|voice, "url": …, "media_id": …, "path": …, "thumb_media_id": … (video)}
    photos: list[dict[str, str]] = field(default_factory=list)
    location: tuple[float, float] | None = None
    location_label: str = ""
    chat: str | None = None               # group id; None for a 1:1 chat
    kind: str = "text"                    # text | image | video | voice | location | link | event
    display_name: str = ""
    sent_at: datetime | None = None       # when it was written, if long before it reached us (a chat log's line)
    link: dict[str, str] | None = None    # a shared link's title, description and url
    scene: str = ""                       # a scanned QR code's scene (帮办二维码: place:广场花苑小区:3栋)

    def __post_init__(self) -> None:
        if self.location is not None and not on_earth(*self.location):
            self.location, self.location_label = None, ""      # a channel's impossible point: no point at all

    @property
    def user_id(self) -> str:
        return f"{self.channel}:{self.sender}"

    def media_of(self, kind: str) -> list[dict[str, str]]:
        """The attachments of one kind (photo, video, voice); a photo without a kind is a photo."""
        return [p for p in self.photos if p.get("kind", "photo") == kind]
