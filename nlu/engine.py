"""The NLU engine: text → Parse. Commands first, then entities, intent, category and urgency.

The keyword rules are strong, explainable evidence; the learned model generalises to wordings the rules
never saw. Both give a probability per label and the engine averages them, so a message both agree on is
confident, and one neither is sure of gets a low confidence and goes to the dispatcher's review queue.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from nlu.bundle import NluModel
from nlu.commands import RATING_WORD, match_command, rating_args
from nlu.english import gloss, language_of, understood
from nlu.entities import find_entities
from nlu.gazetteer import build_gazetteer
from nlu.judgements import (about_staff, asks, complains, is_cancel, is_talk, names_only_a_place, says_something_is_wrong,
                            yes_or_no)
from nlu.knowledge import KnowledgeBase, answerable
from nlu.emergency_now import EmergencyModel
from nlu.report_or_talk import TalkModel
from nlu.rules import COMPLAINT, PROBLEM, category_scores, find_emergency, rule_category, rule_intent, rule_urgency
from nlu.script import simplified
from nlu.tokenizer import Tokenizer
from nlu.types import Entities, Parse
from settings import Deployment, EmergencyKind

#: How much the rules count against the model when both have an opinion.
RULE_WEIGHT = 0.5
#: Intents the model may only choose when the message names a ticket number (or a rating).
NEEDS_TICKET = frozenset({"claim", "resolve", "transfer"})
#: A staff action read from free text rather than typed as the command (「接单 12」) must be this sure; below it
#: the message only asks about the ticket: 「1号工单进度」 read as 接单 at 0.54 would have claimed ticket 1.
ACTION_CONFIDENCE = 0.8
#: How sure a report of an emergency is: its words are the deployment's own, and a dispatcher's review would
#: only delay it.
EMERGENCY_CONFIDENCE = 0.95
#: An English message the glossary gave no Chinese word to, read as one of these, goes to a person instead.
ENGLISH_TO_A_PERSON = frozenset({"report", "question", "chitchat"})
#: Readings that become a question when the knowledge base answers the message and it names no place or problem.
SERVICE_QUESTION_FROM = frozenset({"report", "chitchat"})
#: A question about a service is short; a longer message is a letter about a matter (and searching it costs).
SERVICE_QUESTION_LENGTH = 60
#: The engine reads at most this much of a message (the ticket keeps all of it): a 4,000-character letter is
#: understood from its opening, in the time of a 500-character one (bench/nlu_bench.py, parse time by length).
READ_CHARS = 500
#: Intents read from free text that stay what they are beside an emergency's words: staff acting on a ticket
#: (办结 3 火已扑灭 is a command anyway). Every other reading ("着火了怎么办" asks for help, not for information;
#: the model's "谁…" is no 排行榜 when someone is being beaten) is a report of the emergency.
NOT_EMERGENCY_REPORTS = NEEDS_TICKET | {"status", "rate"}
#: Below this report-or-talk probability, a report with nothing of a report in its words is chit-chat.
CHATTER_BELOW = 0.3
#: …and is at most this long (longer, it may be a complaint in words the deployment does not list).
CHATTER_LENGTH = 10
_TICKET_NUMBER = re.compile(r"(?<!\d)(\d{1,9})\s*(?:号|#)?")


def intent_args(intent: str, text: str) -> dict[str, Any] | None:
    """The arguments an intent's handler needs, read from free text; None when the text lacks them."""
    if intent == "rate":
        return rating_args(text)
    args: dict[str, Any] = {}
    if intent in NEEDS_TICKET | {"status"}:
        if not (m := _TICKET_NUMBER.search(text)):
            return None
        args["ticket"] = int(m.group(1))
    return args


def _spread(best: str, confidence: float, labels: list[str]) -> dict[str, float]:
    """A rule's verdict as a distribution: its confidence on its label, the rest shared evenly."""
    others = [label for label in labels if label != best]
    rest = (1 - confidence) / len(others) if others else 0.0
    return {label: (confidence if label == best else rest) for label in labels}


def _blend(model: dict[str, float], rules: dict[str, float], weight: float) -> dict[str, float]:
    labels = set(model) | set(rules)
    mixed = {k: (1 - weight) * model.get(k, 0.0) + weight * rules.get(k, 0.0) for k in labels}
    total = sum(mixed.values()) or 1.0
    return {k: v / total for k, v in mixed.items()}


def _best(distribution: dict[str, float]) -> tuple[str, float]:
    label = max(distribution, key=distribution.__getitem__)
    return label, distribution[label]


def _likeliest(distribution: dict[str, float], at_least: float = 0.05) -> dict[str, float]:
    """The labels worth a second look, likeliest first: routing asks whether they would all go the same way."""
    ranked = sorted(distribution.items(), key=lambda kv: -kv[1])
    return {label: round(p, 3) for label, p in ranked if p >= at_least}


class Engine:
    """Built once per process; parse() is pure and thread-safe.

    :param model: a trained :class:`NluModel`; without one the keyword rules decide alone.
    """

    def __init__(self, deployment: Deployment, model: NluModel | None = None,
                 extra_words: list[str] | None = None) -> None:
        self.deployment = deployment
        self.gazetteer = build_gazetteer(deployment)
        self.tokenizer = Tokenizer(self.gazetteer, extra_words)
        # intent and category both read the keyword scores of the message being parsed
        self._category_scores = lru_cache(maxsize=64)(lambda text: category_scores(text, deployment))
        self.model: NluModel | None = None
        self.knowledge: KnowledgeBase | None = None
        self.talk_model: TalkModel | None = None
        self.emergency_model: EmergencyModel | None = None
        if model is not None:
            self.use_model(model)

    def use_knowledge(self, knowledge: KnowledgeBase) -> None:
        """Let a message the knowledge base answers, naming no place and no problem, be read as a question about
        a service (「家里装修的垃圾放哪里」), not as a report that asks 「哪个小区？」."""
        self.knowledge = knowledge

    def use_talk_model(self, talk_model: TalkModel) -> None:
        """Let the report-or-talk model give every parse its ``report_odds`` (the group policy reads them)."""
        self.talk_model = talk_model

    def use_emergency_model(self, emergency_model: EmergencyModel | None) -> None:
        """Let the emergency-now model name an emergency the words miss (find_emergency's ``learned``)."""
        self.emergency_model = emergency_model

    def use_model(self, model: NluModel) -> None:
        """Bind a model to this engine's jieba; the intent and category models share one cut per message."""
        cached = lru_cache(maxsize=64)(lambda text: tuple(self.tokenizer.content_tokens(text)))
        self.model = model.bind(lambda text: list(cached(text)))

    def parse(self, text: str, knowledge: KnowledgeBase | None = None) -> Parse:
        """Read a message once: the parse, with the judgements the conversation needs about its words.

        Traditional characters are read as simplified, English through the deployment's glossary. ``Parse.text``
        is the message as written (stored verbatim); ``Parse.reading`` is what was read.

        :param knowledge: the knowledge base that decides whether the words ask about a service, when it is not
            the shipped file (the items staff keep in the database: dispatch/knowledge_items.current).
        """
        text = (text or "").strip()
        reading = simplified(text[:READ_CHARS])
        language = language_of(reading)
        if language == "en":
            reading = gloss(reading, self.deployment.english)
        parse = self._read(reading, knowledge or self.knowledge)
        if language == "en" and not understood(reading) and parse.intent in ENGLISH_TO_A_PERSON:
            parse = replace(parse, intent="human", confidence=1.0, args={})
        parse = replace(parse, text=text, language=language, reading=reading)
        parse.suggested_place = parse.entities.place_suggestion
        parse.only_place = names_only_a_place(reading, self.gazetteer)
        parse.problem_words = bool(parse.emergency or self._category_scores(reading) or complains(reading))
        parse.wrong = says_something_is_wrong(reading)
        parse.about_staff = about_staff(reading)
        parse.talk = is_talk(reading)
        parse.asks = asks(reading)
        parse.report_odds = self.talk_model.report_odds(reading) if self.talk_model else None
        parse.cancel = is_cancel(reading)
        parse.yes_no = yes_or_no(reading)
        if self._only_talk(parse):
            parse = replace(parse, intent="chitchat", category="其他", args={}, talk_not_report=True)
        return parse

    @staticmethod
    def _only_talk(parse: Parse) -> bool:
        """A short "report" that names no place, no thing and no problem, and reads like talk to the report-or-talk
        model (「我到楼下了」): chit-chat, never a ticket to ask 「哪个小区？」 about. A longer line may be a complaint
        in words the deployment does not list (「公交车太少，等车等了一个小时」), and 「我要反映个事」 announces one."""
        e = parse.entities
        words = parse.words
        return (parse.intent == "report" and not parse.emergency and parse.report_odds is not None
                and parse.report_odds < CHATTER_BELOW and len(words) <= CHATTER_LENGTH
                and not (parse.problem_words or parse.wrong or e.where or e.facility)
                and not (PROBLEM.search(words) or COMPLAINT.search(words)))

    def _read(self, text: str, knowledge: KnowledgeBase | None = None) -> Parse:
        emergency = find_emergency(text, self.deployment, self.emergency_model.kind if self.emergency_model else None)
        urgency = emergency.urgency if emergency else rule_urgency(text, self.deployment)
        command = match_command(text)
        entities = find_entities(text, self.gazetteer)
        if command:
            intent, args = command
            return Parse(text, intent, "其他", urgency, 1.0, entities, args, command=True)
        intent, intent_confidence, args = self._intent(text, entities)
        if emergency is not None and intent not in NOT_EMERGENCY_REPORTS:
            return self._emergency_report(text, emergency, urgency, entities)
        if intent in SERVICE_QUESTION_FROM and self._asks_about_a_service(text, entities, knowledge):
            intent, args = "question", {}
        if intent != "report":
            return Parse(text, intent, "其他", urgency, round(intent_confidence, 3), entities, args)
        odds = self.category_distribution(text)
        category, category_confidence = _best(odds)
        confidence = min(intent_confidence, category_confidence)
        return Parse(text, intent, category, urgency, round(confidence, 3), entities, args,
                     intent_confidence=round(intent_confidence, 3), category_odds=_likeliest(odds))

    def _emergency_report(self, text: str, emergency: EmergencyKind, urgency: str, entities: Entities) -> Parse:
        """A report of an emergency: the kind's category when it names one (a 跳楼 threat is no 市容秩序 matter
        for 城管), sure enough to go straight to the grid."""
        category = emergency.category or self._category(text)[0]
        return Parse(text, "report", category, urgency, EMERGENCY_CONFIDENCE, entities, {},
                     emergency=emergency.name)

    def _asks_about_a_service(self, text: str, entities: Entities, knowledge: KnowledgeBase | None) -> bool:
        return (knowledge is not None and len(text) <= SERVICE_QUESTION_LENGTH and entities.where is None
                and not COMPLAINT.search(text)
                and not PROBLEM.search(text) and answerable(text, knowledge))

    def intent_distribution(self, text: str, entities: Entities | None = None) -> dict[str, float]:
        """Probability per intent after rules and model are combined (commands aside)."""
        entities = entities or find_entities(text, self.gazetteer)
        has_place = entities.where is not None
        rule, rule_confidence = rule_intent(text, has_place, entities.facility is not None,
                                            len(self._category_scores(text)))
        if self.model is None:
            return {rule: rule_confidence}
        model = self.model.intent.distribution(text)
        for intent in NEEDS_TICKET & set(model):
            if not _TICKET_NUMBER.search(text):
                model[intent] = 0.0
        if "rate" in model and not RATING_WORD.search(text):
            model["rate"] = 0.0
        if rule_confidence <= 0.5:     # the rules' shrug ("short, so chit-chat?") is no evidence
            return _blend(model, {}, 0.0)
        labels = sorted(set(model) | {rule})
        return _blend(model, _spread(rule, rule_confidence, labels), RULE_WEIGHT)

    def _intent(self, text: str, entities: Entities) -> tuple[str, float, dict[str, Any]]:
        intent, confidence = _best(self.intent_distribution(text, entities))
        if (intent in NEEDS_TICKET and confidence < ACTION_CONFIDENCE) or (
                intent == "my_tickets" and _TICKET_NUMBER.search(text)):
            intent = "status"      # 「1号工单进度」 asks about ticket 1
        args = intent_args(intent, text)
        if args is None:
            # "我报的事怎么样了" names no ticket: show the asker's tickets instead.
            return ("my_tickets" if intent == "status" else "chitchat"), confidence, {}
        return intent, confidence, args

    def category_distribution(self, text: str) -> dict[str, float]:
        """Probability per category after keyword rules and model are combined."""
        scores = self._category_scores(text)
        model = self.model.category.distribution(text) if self.model and self.model.category else {}
        if not model:
            best, confidence = rule_category(scores)
            return {best: confidence}
        if not scores:
            return model
        best, confidence = rule_category(scores)
        labels = sorted(set(model) | set(scores))
        return _blend(model, _spread(best, confidence, labels), RULE_WEIGHT)

    def _category(self, text: str) -> tuple[str, float]:
        return _best(self.category_distribution(text))
