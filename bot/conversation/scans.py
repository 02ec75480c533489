"""帮办二维码 scans: the place a scanned code names is kept in the dialogue context (context.PLACE), so the
sender's next report, or wish, without a place is filed there and never asked 「哪个小区？」.

The scan reaches the bot as a WeChat SCAN event, a follow with EventKey ``qrscene_…``, or the web chat opened at
/chat?place=…; each is an Inbound of kind "event" whose ``scene`` is the code's scene string (dispatch/scenes.py).
"""

from __future__ import annotations

import wording
from bot.conversation import context
from bot.conversation.turn import Turn
from dispatch import scenes
from nlu.types import Parse


def remember(turn: Turn) -> str:
    """Keep the scanned place for the sender's 1:1 chat; the words that say so, or "" for no listed place."""
    spot = scenes.read_scene(turn.config.deployment, turn.inbound.scene)
    if spot is None:
        return ""
    context.expect(turn, context.PLACE, data={"place": spot.place.name, "building": spot.building}, chat="")
    return wording.scanned_place(spot.label)


def with_scanned_place(turn: Turn, parse: Parse) -> Parse | None:
    """The words read again with the scanned place after them (as a place said after 「哪个小区？」 is), or None
    when the sender scanned no code lately (or names a place of their own)."""
    if turn.in_group or parse.entities.where or parse.suggested_place:
        return None
    scanned = context.waiting(turn, context.PLACE)
    if scanned is None:
        return None
    return turn.services.engine.parse(f"{parse.text}（{scanned.data['place']}{scanned.data.get('building', '')}）")
