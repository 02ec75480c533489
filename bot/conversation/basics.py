"""Greetings, help, chit-chat and WeChat events: the bot's small talk."""

from __future__ import annotations

import wording
from bot.conversation.turn import Turn


def greeting(turn: Turn) -> str:
    return "" if turn.in_group else wording.GREETING


def chitchat(turn: Turn) -> str:
    return "" if turn.in_group else wording.CHITCHAT


def help_(turn: Turn) -> str:
    return wording.HELP


def missing_number(turn: Turn) -> str:
    return wording.missing_number(turn.parse.args["verb"])


def event(turn: Turn) -> str:
    return wording.WELCOME if turn.inbound.text == "subscribe" else ""
