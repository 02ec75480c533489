"""WeChat parametric QR codes for 帮办二维码 posters: ``qrcode/create`` with the place as a permanent string scene.

A code is made once per scene and kept (dispatch/scenes.py): an account may make only so many permanent codes,
and a reprinted poster carries the same code. The scan comes back as a SCAN event (or a follow with EventKey
``qrscene_`` + the scene), which bot/conversation/scans.py reads.
"""

from __future__ import annotations

from datetime import datetime

import requests
from sqlite_utils import Database
from wechatpy.exceptions import WeChatClientException

import wording
from bot.channels.clients import OfficialAccountClient
from dispatch import scenes
from dispatch.store import location as store_location
from dispatch.store import transaction
from settings import Config


class QrCodeFailed(Exception):
    """WeChat did not make the code (credentials, IP whitelist, the API down); the message says what to check."""


def wechat_code_url(config: Config, db: Database, scene: str, now: datetime) -> str:
    """The address the poster's code encodes (WeChat's ``url`` for the code), made on first use and kept."""
    if (saved := scenes.saved_code(db, scene)) is not None:
        return saved["url"]
    client = OfficialAccountClient(config.settings.wechat, store_location(config))
    body = {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
    try:
        answer = client.call(lambda: client.qrcode.create(body))
    except WeChatClientException as e:
        raise QrCodeFailed(wording.qrcode_failed(f"{e.errcode} {e.errmsg}"))
    except requests.RequestException as e:
        raise QrCodeFailed(wording.qrcode_failed(type(e).__name__))
    with transaction(db):
        scenes.save_code(db, scene, answer["url"], answer["ticket"], now)
    return answer["url"]
