"""What a follow, a QR scan or opening the 企业微信 app is answered with.

The conversation records the event (an unfollow is recorded and answered with nothing); the words come
from here, decided from the store alone, so WeChat's retry of one event gets the same answer.
"""

from __future__ import annotations

from sqlite_utils import Database

import wording
from bot.inbound import Inbound
from dispatch.digests import staff_work
from dispatch.users import followed_before, get_user, is_staff


def event_reply(db: Database, inbound: Inbound) -> str:
    """The answer to one recorded event: subscribe, scan, enter_agent or unsubscribe."""
    if inbound.text == "subscribe" and inbound.channel != "work_wechat":
        return wording.WELCOME_BACK if followed_before(db, inbound.user_id, inbound.msg_id) else wording.WELCOME
    if inbound.text == "scan":
        return wording.SCAN_ACK
    if inbound.text in ("enter_agent", "subscribe"):     # 企业微信's app is for staff: no residents' welcome
        user = get_user(db, inbound.user_id)
        if not is_staff(user):
            return wording.STAFF_UNBOUND
        _, total = staff_work(db, user)
        return wording.staff_welcome(user.get("display_name", ""), total)
    return ""
