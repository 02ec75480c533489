"""WeChat events a person caused: a follow, a QR scan, opening the 企业微信 app, an unfollow.

The words are decided from the store alone, so WeChat's retry of one event gets the same answer. An unfollow
is recorded like every message and answered with nothing.
"""

from __future__ import annotations

import wording
from bot.conversation import scans
from bot.conversation.turn import Turn
from dispatch.digests import staff_work
from dispatch.users import followed_before, is_staff


def event(turn: Turn) -> str:
    """The answer to a subscribe, scan, enter_agent or unsubscribe (bot/channels/table.py names them)."""
    inbound = turn.inbound
    if inbound.text == "subscribe" and inbound.channel != "work_wechat":
        welcome = wording.WELCOME_BACK if followed_before(turn.db, inbound.user_id, inbound.msg_id) else wording.WELCOME
        placed = scans.remember(turn)      # followed through a 帮办二维码 (EventKey qrscene_…)
        return f"{welcome}\n{placed}" if placed else welcome
    if inbound.text == "scan":
        return scans.remember(turn) or wording.SCAN_ACK
    if inbound.text in ("enter_agent", "subscribe"):     # 企业微信's app is for staff: no residents' welcome
        if not is_staff(turn.user):
            return wording.STAFF_UNBOUND
        _, total = staff_work(turn.db, turn.user)
        return wording.staff_welcome(turn.user.get("display_name", ""), total)
    return ""
