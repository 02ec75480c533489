"""What handling one message came to: the words for the chat, the ticket, and what happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: filed a new ticket · joined an open one (a photo or a repeat) · asked the sender something back ·
#: answered (a command, a question, a rating) · ignored (nothing to say: group chatter)
Outcome = Literal["filed", "joined", "asked", "answered", "ignored"]


@dataclass(frozen=True)
class Reply:
    """The bot's answer to one message, the same for every channel.

    :param text: what to say in the chat the message came from ("" says nothing)
    :param ticket: the ticket this message filed, joined or rated
    :param outcome: what happened, so a channel never asks the store again
    :param private: what to tell the sender 1:1 when the message came from a group
    """

    text: str
    ticket: int | None = None
    outcome: Outcome = "answered"
    private: str = ""


def as_reply(result: Reply | str) -> Reply:
    """A handler may return plain words: an answer, or nothing to say."""
    if isinstance(result, Reply):
        return result
    return Reply(result, outcome="answered" if result else "ignored")
