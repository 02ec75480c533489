"""Report or talk: a small classifier over character n-grams that says how likely a message reports a problem
to the community rather than talks to the people around (chatter, thanks, praise, questions to other riders).

The keyword judgements (nlu/judgements.py) are exact where their words occur and silent elsewhere; this model has
read every way the labelled lines say things and gives a probability everywhere, so the group policy asks it where
the words are unsure or disagree (「这个客户真是个坑」 has a 坑 but reports nothing; 「谢谢大家，顺便说下…楼道灯又坏了」
thanks and reports). It is trained when the engine is built, in well under a second, from the labelled group lines
(data/nlu/*.tsv) and the Rasa data's reports against its greetings, chit-chat and questions. Place names and
numbers are masked first, so it learns how people speak, not which estates the lines happened to name.

Rule for this module: plain Python at inference (a dict lookup per n-gram); no store, no settings.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlu.script import simplified
from nlu.training import NluData

#: A place-like name the deployment may not list: a few characters before an estate's, road's or landmark's suffix.
PLACE_LIKE = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:小区|花园|花苑|苑|宿舍|新村|家园|华庭|大厦|大道|路|街|广场|公园|市场|"
                        r"中学|小学|幼儿园)")
PLACE_MARK = "Ⓟ"
_DIGITS = re.compile(r"\d+")
#: The longest message the model reads: a letter's first lines say what it is about, and the cost stays flat.
MAX_CHARS = 160
#: Intents of the Rasa data read as talk (the rest of the bot's intents are commands, neither report nor talk).
TALK_INTENTS = frozenset({"greeting", "chitchat", "question"})
EPOCHS = 12
LEARNING_RATE = 0.3
L2 = 1e-4


def masked(text: str, place_names: tuple[str, ...]) -> str:
    """The words with every place name (listed or place-like) written as one mark and every number as 0."""
    for name in place_names:
        if name in text:
            text = text.replace(name, PLACE_MARK)
    return _DIGITS.sub("0", PLACE_LIKE.sub(PLACE_MARK, text[:MAX_CHARS]))


def features(text: str, place_names: tuple[str, ...]) -> set[str]:
    """Character 1- to 3-grams of the masked text, with its start and end marked (^好, 吗$)."""
    chars = f"^{masked(text, place_names).lower()}$"
    return {chars[i:i + n] for n in (1, 2, 3) for i in range(len(chars) - n + 1) if chars[i:i + n].strip()}


@dataclass(frozen=True)
class TalkModel:
    """Logistic regression over :func:`features`; ``place_names`` longest first."""

    weights: dict[str, float]
    bias: float
    place_names: tuple[str, ...]

    def report_odds(self, text: str) -> float:
        """The probability that the words report a problem (1) rather than talk (0)."""
        z = self.bias + sum(self.weights.get(f, 0.0) for f in features(text, self.place_names))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def train(lines: list[tuple[str, bool]], place_names: tuple[str, ...]) -> TalkModel:
    """Fit by stochastic gradient descent, in a fixed order (the same data gives the same model)."""
    rows = [(features(simplified(text), place_names), 1.0 if is_report else 0.0) for text, is_report in lines]
    order = list(range(len(rows)))
    weights: dict[str, float] = {}
    bias = 0.0
    shuffle = random.Random(0).shuffle
    for epoch in range(EPOCHS):
        shuffle(order)
        rate = LEARNING_RATE / (1 + epoch)
        for i in order:
            found, label = rows[i]
            z = bias + sum(weights.get(f, 0.0) for f in found)
            error = 1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) - label
            for f in found:
                w = weights.get(f, 0.0)
                weights[f] = w - rate * (error + L2 * w)
            bias -= rate * error
    return TalkModel(weights, bias, place_names)


def read_group_lines(directory: Path) -> list[tuple[str, bool]]:
    """The labelled group lines (``files<TAB>photo<TAB>text``, # comments) of every *.tsv in the folder."""
    lines = []
    for path in sorted(Path(directory).glob("*.tsv")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.startswith("#"):
                files, _photo, text = raw.split("\t", 2)
                lines.append((text, files == "1"))
    return lines


def training_lines(data: NluData, group_lines: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """The group lines, then the Rasa data's reports (report) and greetings, chit-chat and questions (talk)."""
    return group_lines + [(e.text, e.intent == "report") for e in data.examples
                          if e.intent == "report" or e.intent in TALK_INTENTS]


def fingerprint(lines: list[tuple[str, bool]], place_names: tuple[str, ...]) -> str:
    """What the model learns from, hashed: a kept model is used only for the very same lines and places."""
    digest = hashlib.sha256(repr((lines, place_names, EPOCHS, LEARNING_RATE, L2, MAX_CHARS)).encode("utf-8"))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def _cached(lines: tuple[tuple[str, bool], ...], place_names: tuple[str, ...], keep_in: Path | None) -> TalkModel:
    kept = keep_in / f"talk-model-{fingerprint(list(lines), place_names)}.pkl" if keep_in else None
    if kept is not None and kept.exists():
        try:
            model = pickle.loads(kept.read_bytes())
            if isinstance(model, TalkModel):
                return model
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass                  # trained again below
    model = train(list(lines), place_names)
    if kept is not None:
        try:
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.write_bytes(pickle.dumps(model))
        except OSError:           # a read-only cache still starts; it trains at every start
            pass
    return model


def talk_model(data: NluData, directory: Path, place_names: tuple[str, ...], keep_in: Path | None = None) -> TalkModel:
    """The model for this data: trained once per process (tests and workers build engines more than once), and
    kept in ``keep_in`` (the user's cache, never the checkout) so the next start only loads it."""
    return _cached(tuple(training_lines(data, read_group_lines(directory))), place_names, keep_in)
