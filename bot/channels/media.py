"""The media job: photos, videos (with their thumbnails) and voice recordings that arrived as WeChat
media ids are downloaded and kept where the deployment keeps media (the media folder, or the store's
media_files table; dispatch/media.py).

It runs in the worker, never inside the 5-second callback. A file WeChat refuses for good (an expired or
unknown media id) gets an empty path and is not tried again; a network failure or an API outage leaves it
for the next run, so nothing is lost while the API is down. A video over ``store.video_max_mb`` is not kept,
and its sender is told kindly through the outbox. A recording is converted for the browser when ffmpeg is
installed, and kept as sent (with a note saying so) when it is not.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import requests
from sqlite_utils import Database
from wechatpy.exceptions import WeChatClientException

import wording
from bot.channels.audio import playable
from bot.channels.clients import TIMEOUT_SECONDS, TOKEN_ERRORS
from bot.channels.wechat import WeChatChannel, WorkWeChatChannel
from dispatch import media, outbox
from dispatch.clock import utcnow
from dispatch.store import transaction
from settings import Config

log = logging.getLogger(__name__)

BATCH = 20
CHUNK = 64 * 1024
SUB = "wechat"   # the media folder's (or media_files names') part for files downloaded from WeChat

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "video/mp4": ".mp4", "video/quicktime": ".mov", "video/3gpp": ".3gp",
              "audio/amr": ".amr", "audio/speex": ".speex", "audio/x-speex": ".speex", "audio/mpeg": ".mp3",
              "audio/mp4": ".m4a", "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/silk": ".silk"}


class TooBig(Exception):
    """The file is larger than this kind of media may be."""


def pending_media(db: Database, limit: int = BATCH) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT media.id, media.kind, media.media_id, media.thumb_media_id, media.ticket_id, messages.channel, "
        "messages.sender FROM media LEFT JOIN messages ON messages.id = media.message_id "
        "WHERE media.media_id != '' AND media.path IS NULL ORDER BY media.id LIMIT ?", [limit]))


def download(client: Any, media_id: str, folder: Path, max_bytes: int | None = None) -> Path:
    """Stream one temporary media file from the media API into the folder; raises on any failure.

    :raises TooBig: when the file is over ``max_bytes`` (nothing is kept).
    :raises WeChatClientException: when WeChat answers with an error (its errcode says whether to retry).
    """
    def get() -> requests.Response:
        res = client._http.get(client.API_BASE_URL + "media/get", stream=True, timeout=TIMEOUT_SECONDS,
                               params={"access_token": client.access_token, "media_id": media_id})
        res.raise_for_status()
        content_type = res.headers.get("Content-Type", "").split(";")[0].strip()
        if content_type in ("application/json", "text/plain"):
            try:
                body = res.json()
            except ValueError:
                raise WeChatClientException(None, f"media {media_id}: {res.text[:100]}")
            raise WeChatClientException(body.get("errcode"), body.get("errmsg", "media is not a file"))
        return res

    res = client.call(get)
    content_type = res.headers.get("Content-Type", "").split(";")[0].strip()
    if content_type not in EXTENSIONS:
        raise WeChatClientException(None, f"media {media_id}: unexpected content type {content_type!r}")
    if max_bytes and int(res.headers.get("Content-Length") or 0) > max_bytes:
        raise TooBig(media_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (re.sub(r"[^A-Za-z0-9_-]", "_", media_id)[:100] + EXTENSIONS[content_type])
    size = 0
    with path.open("wb") as out:
        for chunk in res.iter_content(CHUNK):
            size += len(chunk)
            if max_bytes and size > max_bytes:
                out.close()
                path.unlink()
                raise TooBig(media_id)
            out.write(chunk)
    return path


def _client(config: Config, channel: str, clients: dict[str, Any]) -> Any:
    channel = "work_wechat" if channel == "work_wechat" else "wechat"
    if channel not in clients:
        clients[channel] = (WorkWeChatChannel if channel == "work_wechat" else WeChatChannel)(config).client
    return clients[channel]


def _save_one(config: Config, client: Any, row: dict[str, Any], files: media.Files, db: Database
              ) -> dict[str, Any]:
    """The columns to write for one media row once its files are fetched and kept (raises to retry later)."""
    max_bytes = int(config.settings.store.video_max_mb * 1024 * 1024) if row["kind"] == "video" else None
    with files.staging(SUB) as folder:
        path = download(client, row["media_id"], folder, max_bytes)
        thumb, note = None, ""
        if row["thumb_media_id"]:
            try:
                thumb = download(client, row["thumb_media_id"], folder)
            except WeChatClientException as e:   # the video is what matters; a lost thumbnail is only shown less
                log.warning("thumbnail %s: %s", row["thumb_media_id"], e)
        if row["kind"] == "voice":
            path, note = playable(path, config.settings.store.ffmpeg)
        return {"path": files.keep(path, SUB, db), "thumb_path": thumb and files.keep(thumb, SUB, db), "note": note}


def fetch_media(config: Config, db: Database) -> int:
    """Download pending WeChat media; returns how many were saved."""
    clients: dict[str, Any] = {}
    files = media.for_config(config)
    saved = 0
    for row in pending_media(db):
        client = _client(config, row["channel"] or "wechat", clients)
        try:
            done = _save_one(config, client, row, files, db)
        except TooBig:
            log.warning("media %s: over the %s MB limit, not kept", row["media_id"], config.settings.store.video_max_mb)
            done = {"path": "", "thumb_path": None, "note": "too_big"}
            if row["sender"]:
                with transaction(db):
                    outbox.enqueue(db, row["sender"], wording.VIDEO_TOO_BIG.format(max_mb=config.settings.store.video_max_mb),
                                   utcnow(), row["ticket_id"], f"too_big:{row['id']}")
        except WeChatClientException as e:
            if e.errcode is None or e.errcode in TOKEN_ERRORS:
                log.warning("media %s: will retry: %s", row["media_id"], e)
                continue
            log.warning("media %s: WeChat refused it for good: %s", row["media_id"], e)
            done = {"path": "", "thumb_path": None, "note": ""}
        except requests.RequestException as e:
            log.warning("media %s: will retry: %s", row["media_id"], e)
            continue
        with transaction(db):
            db.execute("UPDATE media SET path = ?, thumb_path = ?, note = ? WHERE id = ?",
                       [done["path"], done["thumb_path"], done["note"], row["id"]])
        saved += bool(done["path"])
    return saved
