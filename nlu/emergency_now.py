"""Emergency now: a small classifier over character n-grams that says how likely a message tells of an emergency
happening now, and which of the deployment's kinds it is, for the lines the word lists miss (「老爷子坐地上起不来
了 叫他也不应」 names a person and a harm in words no list has).

The word rules (nlu/rules.py find_emergency) decide first; this model is asked only when none of their words occurs
at all, and the rules' time, supposition, risk and pollution words still veto it (nlu/rules.py could_be_now). It
is trained when the engine is built from the labelled emergency lines in data/nlu/emergency_lines.txt (present events
of every kind against look-alikes: old stories, suppositions, risks, pollution, questions) and the bot's other
lines (data/nlu: group lines and the Rasa examples, none of them an emergency the rules do not see), with the same
features and learner as the report-or-talk model (nlu/report_or_talk.py).

Rule for this module: plain Python at inference (a dict lookup per n-gram); no store, no settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from nlu.report_or_talk import TalkModel, read_group_lines, train
from nlu.training import NluData

#: How sure the model must be that a line tells of an emergency now before it raises one the words did not.
#: Chosen on the dev and blind sets' tune halves with the model trained without them (bench/understanding_dev.py).
ALARM_FROM = 0.9
#: The labelled lines' file in the NLU data folder (.txt: the group lines' *.tsv and the Rasa *.yml are read apart).
LINES_FILE = "emergency_lines.txt"
#: The kind written for a look-alike in data/nlu/emergency_lines.txt.
NO_EMERGENCY = "-"


@dataclass(frozen=True)
class EmergencyModel:
    """``now``: an emergency happening now (1) or anything else (0); ``kinds``: one kind (1) against the other
    kinds' present events (0), for the kind of a line ``now`` is sure of."""

    now: TalkModel
    kinds: dict[str, TalkModel]

    def odds(self, text: str) -> float:
        """The probability that the words tell of an emergency happening now."""
        return self.now.report_odds(text)

    def kind(self, text: str) -> str | None:
        """The likeliest kind when the model is sure enough of an emergency now, else None."""
        if not self.kinds or self.odds(text) < ALARM_FROM:
            return None
        return max(self.kinds, key=lambda name: self.kinds[name].report_odds(text))


def read_emergency_lines(path: Path) -> list[tuple[str, str | None]]:
    """The labelled lines (``kind<TAB>text``, # comments) of the file: (text, kind or None)."""
    lines = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            kind, text = raw.split("\t", 1)
            lines.append((text, None if kind == NO_EMERGENCY else kind))
    return lines


def train_emergency_model(labelled: list[tuple[str, str | None]], others: list[str],
                          place_names: tuple[str, ...]) -> EmergencyModel:
    """Fit the two parts: ``labelled`` gives present events and look-alikes, ``others`` more lines that are none."""
    now = train([(text, kind is not None) for text, kind in labelled] + [(text, False) for text in others],
                place_names)
    present = [(text, kind) for text, kind in labelled if kind is not None]
    kinds = {name: train([(text, kind == name) for text, kind in present], place_names)
             for name in sorted({kind for _, kind in present})}
    return EmergencyModel(now, kinds)


@lru_cache(maxsize=4)
def _cached(labelled: tuple[tuple[str, str | None], ...], others: tuple[str, ...],
            place_names: tuple[str, ...]) -> EmergencyModel:
    return train_emergency_model(list(labelled), list(others), place_names)


def training_lines(data: NluData, data_dir: Path,
                   is_emergency: Callable[[str], bool]) -> tuple[list[tuple[str, str | None]], list[str]]:
    """The labelled emergency lines, and the bot's other lines (group lines, Rasa examples) as none. ``is_emergency``
    (text → bool, the word rules) keeps out of the 'none' side the bot's lines that do report one."""
    others = [text for text, _ in read_group_lines(data_dir)] + [e.text for e in data.examples]
    return read_emergency_lines(data_dir / LINES_FILE), [text for text in others if not is_emergency(text)]


def emergency_model(data: NluData, data_dir: Path, place_names: tuple[str, ...],
                    is_emergency: Callable[[str], bool]) -> EmergencyModel | None:
    """The model for this data, trained once per process (None when the folder has no labelled emergency lines)."""
    if not (data_dir / LINES_FILE).exists():
        return None
    labelled, others = training_lines(data, data_dir, is_emergency)
    return _cached(tuple(labelled), tuple(others), place_names)
