"""The held-out dev sets (emergencies_dev.yaml, triage_dev.yaml): read, split into the tune and check halves, and
scored. Written before the judgements they measure were changed; bench/understanding_dev.py prints the table.

Even rows are the tune half, odd rows the check half (each file's header says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import yaml

DATA = Path(__file__).parent / "data"
EMERGENCIES_DEV = DATA / "emergencies_dev.yaml"
TRIAGE_DEV = DATA / "triage_dev.yaml"
#: The blind sets (nlujudge, 3 Dec night): written and scored on main before the round that tuned on their tune halves.
EMERGENCIES_BLIND = DATA / "emergencies_blind.yaml"
TRIAGE_BLIND = DATA / "triage_blind.yaml"
EMERGENCIES_BLIND2 = DATA / "emergencies_blind2.yaml"
TRIAGE_BLIND2 = DATA / "triage_blind2.yaml"
#: The blind sets' halves alternate in blocks of two rows (:func:`half`).
BLIND_BLOCK = 2
HALVES = ("tune", "check")
T = TypeVar("T")


def half(rows: Sequence[T], name: str, block: int = 1) -> list[T]:
    """The tune half or the check half, in alternating blocks of ``block`` rows: with 1, even rows tune and odd
    rows check (the dev sets); with 2, rows 0–1 tune, 2–3 check, 4–5 tune… (the blind sets, written as a report
    beside its look-alike, so that each half gets both); with 0, every row (a set that is all check). "all" for
    every row."""
    if name == "all" or block == 0:
        return list(rows)
    return [row for i, row in enumerate(rows) if (i // block) % 2 == HALVES.index(name)]


def emergency_lines(path: Path = EMERGENCIES_DEV) -> list[tuple[str, str | None]]:
    return [(text, kind) for text, kind in yaml.safe_load(path.read_text(encoding="utf-8"))["lines"]]


def triage_lines(path: Path = TRIAGE_DEV) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["lines"]


#: The fields a triage row may name, in the order the table prints them.
TRIAGE_FIELDS = ("intent", "category", "handling", "place", "grid", "department", "building", "answered")


def triage_misses(expected: dict[str, Any], record: dict[str, Any]) -> list[str]:
    """The fields of one `sandan triage` record that differ from what the row expects."""
    wrong = []
    if "not_intent" in expected and record["intent"] == expected["not_intent"]:
        wrong.append("intent")
    for name in TRIAGE_FIELDS:
        if name not in expected:
            continue
        want = expected[name]
        got = (record["answer"] is not None) if name == "answered" else record[name]
        if not (got in want if isinstance(want, list) else got == want):
            wrong.append(name)
    return wrong


@dataclass
class TriageScore:
    rows: int = 0
    right: int = 0                                       # every field the row names is right
    checked: dict[str, int] = field(default_factory=dict)
    correct: dict[str, int] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)

    def field_accuracy(self, name: str) -> float | None:
        return self.correct.get(name, 0) / self.checked[name] if self.checked.get(name) else None


def score_triage(rows: Sequence[dict[str, Any]], triage: Callable[[str], dict[str, Any]]) -> TriageScore:
    score = TriageScore()
    for row in rows:
        record = triage(row["text"])
        misses = triage_misses(row, record)
        score.rows += 1
        score.right += not misses
        for name in (*TRIAGE_FIELDS, "not_intent"):
            if name in row:
                key = "intent" if name == "not_intent" else name
                score.checked[key] = score.checked.get(key, 0) + 1
                score.correct[key] = score.correct.get(key, 0) + (key not in misses)
        if misses:
            score.wrong.append(f"{row['text']} → " + ", ".join(
                f"{m}={record['answer'] is not None if m == 'answered' else record[m]}" for m in misses))
    return score
