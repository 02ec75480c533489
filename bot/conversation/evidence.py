"""What WeChat sends besides words and photos: a recording it did not transcribe, and a shared link.

Videos need nothing here: they travel as evidence beside photos (Inbound.photos with kind "video") and
attach to the report being told exactly as a photo does.
"""

from __future__ import annotations

import wording
from bot.conversation import reports
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from dispatch import tickets
from dispatch.routing import Route
from nlu.types import Parse


def voice_for_a_person(turn: Turn) -> Reply:
    """A recording without WeChat's transcript (no 语音识别, a dialect): filed with the audio to the community
    dispatcher's review queue, so a person listens; the sender is told someone will call back if needed.

    The residents who cannot type are the ones the 帮办代办 practice exists for: they are never told to type.
    """
    if turn.in_group:
        return Reply("", outcome="ignored")
    parse = Parse(wording.VOICE_TICKET_TEXT, "human", "其他", "一般", 1.0)
    review = Route("reply", "其他", turn.user.get("community_id"), turn.user.get("grid_id"), None, True,
                   wording.VOICE_REVIEW_REASON)
    created = tickets.create_ticket(turn.db, turn.config, turn.user["id"], parse, review, turn.now,
                                    turn.inbound.photos, turn.message_id)
    return Reply(wording.voice_for_a_person(created.ticket["id"]), created.ticket["id"], "filed")


def link(turn: Turn) -> Reply | str:
    """A shared link (an article forwarded to the bot): a title that is itself a report with its place is
    handled as those words; any other link is acknowledged, never asked 「哪个小区」."""
    if turn.parse.intent == "report" and turn.parse.entities.where:
        return reports.report(turn)
    return "" if turn.in_group else wording.link_received(turn.inbound.text)
