"""The media job: photos that arrived as WeChat media ids are downloaded into the media folder.

It runs in the worker, never inside the 5-second callback. A photo whose download WeChat refuses for
good (an expired or unknown media id) gets an empty path and is not tried again; a network failure
leaves it for the next run.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from sqlite_utils import Database
from wechatpy.exceptions import WeChatClientException

from bot.channels.clients import TOKEN_ERRORS
from bot.channels.wechat import WeChatChannel, WorkWeChatChannel, save_media
from dispatch.store import transaction
from settings import Config

log = logging.getLogger(__name__)

BATCH = 20


def pending_media(db: Database, limit: int = BATCH) -> list[dict[str, Any]]:
    return list(db.query(
        "SELECT media.id, media.media_id, messages.channel FROM media "
        "LEFT JOIN messages ON messages.id = media.message_id "
        "WHERE media.media_id != '' AND media.path IS NULL ORDER BY media.id LIMIT ?", [limit]))


def fetch_media(config: Config, db: Database) -> int:
    """Download pending WeChat photos; returns how many were saved."""
    rows = pending_media(db)
    if not rows:
        return 0
    clients: dict[str, Any] = {}
    folder = config.path(config.settings.store.media_dir) / "wechat"
    saved = 0
    for row in rows:
        channel = "work_wechat" if row["channel"] == "work_wechat" else "wechat"
        if channel not in clients:
            clients[channel] = (WorkWeChatChannel if channel == "work_wechat" else WeChatChannel)(config).client
        try:
            path: str | None = str(save_media(clients[channel], row["media_id"], folder))
        except WeChatClientException as e:
            if e.errcode is None or e.errcode in TOKEN_ERRORS:
                log.warning("media %s: will retry: %s", row["media_id"], e)
                continue
            log.warning("media %s: WeChat refused it for good: %s", row["media_id"], e)
            path = ""
        except requests.RequestException as e:
            log.warning("media %s: will retry: %s", row["media_id"], e)
            continue
        with transaction(db):
            db.execute("UPDATE media SET path = ? WHERE id = ?", [path, row["id"]])
        saved += bool(path)
    return saved
