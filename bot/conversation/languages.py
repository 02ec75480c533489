"""Replies to a message written in English: the Chinese reply first (what staff and the records read), then the
same in English, so a resident who writes 「There is a gas leak in building 3 of 广场花苑小区」 is told whom to call,
what to do meanwhile and that the report was filed, in words they read. A message the glossary gave nothing to
read goes to a person (nlu/engine.py reads it as 「human」) and is told so in both languages.
"""

from __future__ import annotations

import wording
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn


def _english(turn: Turn, reply: Reply) -> str:
    """The English for what the reply did; "" when there is nothing the reporter needs to read."""
    parts = []
    deployment = turn.config.deployment
    if turn.parse.emergency and (kind := deployment.emergency_kind(turn.parse.emergency)) is not None:
        parts.append(wording.call_first_en(kind.call, deployment.emergencies.also_text(kind), kind.name))
    if reply.outcome == "filed" and reply.ticket:
        parts.append(wording.ack_report_en(reply.ticket))
    elif reply.outcome == "joined" and reply.ticket:
        parts.append(wording.ack_duplicate_en(reply.ticket))
    elif reply.outcome == "asked":
        suggested = turn.parse.suggested_place if not turn.parse.entities.place else None
        parts.append(wording.did_you_mean_en(suggested) if suggested else wording.ASK_PLACE_EN)
    return "\n".join(parts)


def bilingual(turn: Turn, reply: Reply) -> Reply:
    """The reply in both languages when the message was written in English; else the reply as it is."""
    if turn.parse.language != "en" or not reply.text:
        return reply
    english = _english(turn, reply)
    if not english:
        return reply
    return Reply(wording.both(reply.text, english), reply.ticket, reply.outcome, reply.private)
