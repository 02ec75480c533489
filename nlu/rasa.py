"""The optional Rasa backend: intents from a Rasa 3.x server's POST /model/parse, everything else builtin.

Commands, entities (canonical place names need the deployment's gazetteer) and urgency stay with the
builtin engine. When the server is down or slow, the builtin model answers, and the outage is remembered
for ``retry_seconds`` so that no message waits on a dead server twice.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

import requests

from nlu.commands import match_command
from nlu.engine import Engine, intent_args
from nlu.knowledge import KnowledgeBase
from nlu.training import REPORT_PREFIX
from nlu.types import Entities, Parse

log = logging.getLogger(__name__)

#: Rasa entity types that fill a field of :class:`Entities` the builtin finder left empty.
ENTITY_FIELDS = ("building", "unit", "room", "road", "landmark", "facility", "phone")


#: The bot's own intents a Rasa answer may carry (reports come as report_<category>).
KNOWN_INTENTS = frozenset({"greeting", "chitchat", "question", "status", "my_tickets", "points", "leaderboard",
                           "help", "claim", "resolve", "rate", "transfer"})


class RasaUnavailable(Exception):
    """The Rasa server did not answer in time or answered something unusable."""


class RasaEngine:
    """Same interface as :class:`Engine` (``parse``, ``tokenizer``, ``deployment``)."""

    def __init__(self, builtin: Engine, url: str, token: str = "", timeout: float = 1.5,
                 retry_seconds: float = 30, clock: Callable[[], float] = time.monotonic,
                 session: requests.Session | None = None) -> None:
        self.builtin = builtin
        self.url = url.rstrip("/") + "/model/parse"
        self.token = token
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.session = session or requests.Session()
        self._down_until = 0.0
        self._lock = threading.Lock()

    # The rest of the app reads these from the engine it was given.
    @property
    def deployment(self):
        return self.builtin.deployment

    @property
    def tokenizer(self):
        return self.builtin.tokenizer

    @property
    def gazetteer(self):
        return self.builtin.gazetteer

    @property
    def model(self):
        return self.builtin.model

    def available(self) -> bool:
        return self.clock() >= self._down_until

    def call(self, text: str) -> dict[str, Any]:
        params = {"token": self.token} if self.token else None
        try:
            r = self.session.post(self.url, json={"text": text}, params=params, timeout=self.timeout)
            r.raise_for_status()
            body = r.json()
        except (requests.RequestException, ValueError) as e:
            raise RasaUnavailable(str(e)) from e
        if not isinstance(body, dict) or not isinstance(body.get("intent"), dict):
            raise RasaUnavailable(f"unexpected answer from {self.url}: {str(body)[:200]}")
        return body

    def parse(self, text: str, knowledge: KnowledgeBase | None = None) -> Parse:
        text = (text or "").strip()
        if not text or match_command(text) or not self.available():
            return self.builtin.parse(text, knowledge)
        try:
            body = self.call(text)
        except RasaUnavailable as e:
            with self._lock:
                self._down_until = self.clock() + self.retry_seconds
            log.warning("Rasa server unavailable (%s); builtin NLU for the next %.0f s", e, self.retry_seconds)
            return self.builtin.parse(text, knowledge)
        return self.to_parse(text, body, knowledge)

    def to_parse(self, text: str, body: dict[str, Any], knowledge: KnowledgeBase | None = None) -> Parse:
        """Map Rasa's answer onto a Parse; ``report_<category>`` carries the category."""
        base = self.builtin.parse(text, knowledge)
        if base.emergency:     # the deployment's emergency words decide, whatever the model says
            return base
        name = str(body["intent"].get("name") or "")
        confidence = float(body["intent"].get("confidence") or 0.0)
        if name.startswith(REPORT_PREFIX):
            intent, category = "report", name[len(REPORT_PREFIX):]
        elif name in KNOWN_INTENTS:
            intent, category = name, "其他"
        else:                  # nlu_fallback or an intent this bot has no handler for
            return base
        args = intent_args(intent, text) if intent != "report" else {}
        if args is None:       # Rasa chose a command but the text lacks its ticket number: trust the builtin
            return base
        entities = _merge_entities(base.entities, body.get("entities") or [])
        return Parse(text, intent, category, base.urgency, round(confidence, 3), entities, args, source="rasa")


def _merge_entities(base: Entities, rasa_entities: list[dict[str, Any]]) -> Entities:
    merged = Entities(**vars(base))
    for entity in rasa_entities:
        kind, value = entity.get("entity"), entity.get("value")
        if kind in ENTITY_FIELDS and value and getattr(merged, kind) is None:
            setattr(merged, kind, str(value))
    return merged
