"""Greetings, help, chit-chat and WeChat events: the bot's small talk."""

from __future__ import annotations

import wording
from bot.conversation.turn import Turn
from nlu.commands import WITHDRAW_VERBS


def greeting(turn: Turn) -> str:
    return "" if turn.in_group else wording.GREETING


def chitchat(turn: Turn) -> str:
    return "" if turn.in_group else wording.CHITCHAT


def help_(turn: Turn) -> str:
    return wording.HELP


def missing_number(turn: Turn) -> str:
    verb = turn.parse.args["verb"]
    return wording.missing_number("撤回" if verb in WITHDRAW_VERBS else verb)   # 「撤了」 is said 「撤回 12」
