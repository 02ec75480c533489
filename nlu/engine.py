"""The NLU engine: text → Parse. Commands first, then entities, intent, category and urgency."""

from __future__ import annotations

from nlu.commands import match_command
from nlu.entities import find_entities
from nlu.gazetteer import build_gazetteer
from nlu.rules import category_scores, rule_category, rule_intent, rule_urgency
from nlu.tokenizer import Tokenizer
from nlu.types import Parse
from settings import Deployment


class Engine:
    """Built once per process; parse() is pure and thread-safe."""

    def __init__(self, deployment: Deployment) -> None:
        self.deployment = deployment
        self.gazetteer = build_gazetteer(deployment)
        self.tokenizer = Tokenizer(self.gazetteer)

    def parse(self, text: str) -> Parse:
        text = (text or "").strip()
        urgency = rule_urgency(text, self.deployment)
        command = match_command(text)
        entities = find_entities(text, self.gazetteer)
        if command:
            intent, args = command
            return Parse(text, intent, "其他", urgency, 1.0, entities, args)
        category, category_confidence = rule_category(text, self.deployment)
        intent, intent_confidence = rule_intent(
            text, entities.place is not None or entities.road is not None or entities.landmark is not None,
            entities.facility is not None, len(category_scores(text, self.deployment)),
        )
        confidence = intent_confidence if intent != "report" else min(intent_confidence, category_confidence)
        return Parse(text, intent, category, urgency, round(confidence, 3), entities)
