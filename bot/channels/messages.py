"""A WeChat callback the table says to converse about, as the Inbound the conversation reads.

Media (a photo, a video with its thumbnail, a voice recording WeChat did not transcribe) travel as
entries of ``Inbound.photos`` with their ``kind``: they attach to a report as photos do, and the worker
downloads each through the media API later (bot/channels/media.py), never inside the 5-second callback.
"""

from __future__ import annotations

from bot.channels.table import Does, Row
from bot.inbound import Inbound


def _float(value: str | None) -> float | None:
    try:
        return float(value or "")
    except ValueError:
        return None


def event_inbound(raw: dict[str, str], channel: str, row: Row) -> Inbound:
    """A follow, scan, unfollow or app entry: text is what the conversation answers (subscribe, scan…).

    Events carry no MsgId: FromUserName + CreateTime + the event and its key identify WeChat's retries of one
    event (two events of one user in one second, a scan and a subscribe, are two).
    """
    sender = raw.get("FromUserName", "")
    names = {Does.FOLLOW: "subscribe", Does.SCAN: "scan", Does.UNFOLLOW: "unsubscribe",
             Does.ENTER_AGENT: "enter_agent"}
    event = (raw.get("Event") or "").lower()
    msg_id = f"{sender}:{raw.get('CreateTime', '')}:{event}:{raw.get('EventKey') or ''}"
    scene = (raw.get("EventKey") or "") if row.does in (Does.FOLLOW, Does.SCAN) else ""
    return Inbound(channel=channel, sender=sender, msg_id=msg_id, kind="event",
                   text=names.get(row.does, row.does.value), scene=scene)


def message_inbound(raw: dict[str, str], channel: str) -> Inbound | None:
    """The Inbound for an ordinary message; None when it carries nothing to read (a location without numbers)."""
    sender = raw.get("FromUserName", "")
    kind = (raw.get("MsgType") or "").lower()
    msg_id = raw.get("MsgId") or raw.get("MsgID") or f"{sender}:{raw.get('CreateTime', '')}:{kind}"
    base = Inbound(channel=channel, sender=sender, msg_id=str(msg_id), kind=kind)
    if kind == "text":
        base.text = raw.get("Content") or ""
    elif kind == "image":
        base.photos = [{"kind": "photo", "url": raw.get("PicUrl") or "", "media_id": raw.get("MediaId") or ""}]
    elif kind in ("video", "shortvideo"):
        base.kind = "video"
        base.photos = [{"kind": "video", "url": "", "media_id": raw.get("MediaId") or "",
                        "thumb_media_id": raw.get("ThumbMediaId") or ""}]
    elif kind == "voice":
        base.text = (raw.get("Recognition") or "").strip()
        if not base.text:    # no transcript: the recording itself is what a person will hear
            base.photos = [{"kind": "voice", "url": "", "media_id": raw.get("MediaId") or "",
                            "format": (raw.get("Format") or "").lower()}]
    elif kind == "location":
        lat, lon = _float(raw.get("Location_X")), _float(raw.get("Location_Y"))
        if lat is None or lon is None:
            return None
        # built anew, so Inbound's own check drops a point that cannot exist (NaN, 200°)
        return Inbound(channel=channel, sender=sender, msg_id=str(msg_id), kind=kind, location=(lat, lon),
                       location_label=raw.get("Label") or "")
    elif kind == "link":
        base.text = (raw.get("Title") or "").strip()
        base.link = {"title": base.text, "description": (raw.get("Description") or "").strip(),
                     "url": raw.get("Url") or ""}
    else:
        return None
    return base
