"""The labelled group lines (data/nlu/group_lines*.tsv, the report-or-talk model's training lines, and the
out-of-sample sets here) and how well the group policy tells reports from talk.

Read by tests/conversation/test_group_policy.py (which holds the targets) and bench/group_lines.py (which
prints the table for BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.conversation.group import files_in_group
from bot.services import Services

HERE = Path(__file__).parent
#: The lines the judgement was settled on (in-sample), and the fresh ones written afterwards (out-of-sample).
#: They are the report-or-talk model's training lines too (nlu/report_or_talk.py), so they live in data/nlu.
SETTLED = (HERE.parents[1] / "data" / "nlu" / "group_lines.tsv", HERE.parents[1] / "data" / "nlu" / "group_lines_more.tsv")
FRESH = HERE / "group_lines_fresh.tsv"
#: Lines written before the judgement was made general (words derived from the categories' keywords and the NLU
#: training data, the model's report probability, negation and finished repairs) and never used to tune it.
UNSEEN = HERE / "group_lines_unseen.tsv"
#: The held-out dev set (nlujudge): written before the judgement was changed, in other voices; its even lines are
#: the tune half, its odd lines the check half (tests/understanding/dev_sets.py ``half``).
DEV = HERE / "group_lines_dev.tsv"
#: The blind set (nlujudge, 3 Dec night): written and scored on main before the next round; halves as DEV's.
BLIND = HERE / "group_lines_blind.tsv"
#: The second blind set: written after the first one's check half was scored, before it was read; all check.
BLIND2 = HERE / "group_lines_blind2.tsv"


@dataclass(frozen=True)
class Line:
    files: bool        # the label: a person reading the group would want a ticket
    photo: bool        # a photo came just before the words
    text: str


def read_lines(*paths: Path) -> list[Line]:
    rows = []
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip() or raw.startswith("#"):
                continue
            files, photo, text = raw.split("\t", 2)
            rows.append(Line(files == "1", photo == "1", text))
    return rows


@dataclass(frozen=True)
class Score:
    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int
    wrong: list[tuple[Line, bool]]

    @property
    def precision(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_pos)

    @property
    def recall(self) -> float:
        return self.true_pos / max(1, self.true_pos + self.false_neg)


def score(services: Services, lines: list[Line]) -> Score:
    """Ask the group policy about every line, as the group endpoint does, and count its verdicts."""
    counts = {(True, True): 0, (False, True): 0, (True, False): 0, (False, False): 0}
    wrong = []
    for line in lines:
        filed = files_in_group(services.config, services.engine.parse(line.text), line.photo)
        counts[(line.files, filed)] += 1
        if filed != line.files:
            wrong.append((line, filed))
    return Score(counts[(True, True)], counts[(False, True)], counts[(True, False)], counts[(False, False)], wrong)
