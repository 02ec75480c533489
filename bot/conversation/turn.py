"""One message being handled, and the shape of a handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlite_utils import Database

from bot.conversation.reply import Reply
from bot.inbound import Inbound
from bot.services import Services
from dispatch.dialogue import Expectation
from nlu.types import Parse
from settings import Config


@dataclass
class Turn:
    """One message being handled: who, what, and the open store connection."""

    services: Services
    db: Database
    inbound: Inbound
    user: dict[str, Any]
    parse: Parse
    now: datetime
    message_id: int
    expected: dict[str, Expectation] = field(default_factory=dict)   # what the bot waits for (context.py)

    @property
    def config(self) -> Config:
        return self.services.config

    @property
    def in_group(self) -> bool:
        return self.inbound.chat is not None


#: A handler answers one command or intent: a Reply, or plain words (an answer; "" says nothing).
Handler = Callable[[Turn], "Reply | str"]
