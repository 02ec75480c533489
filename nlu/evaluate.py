"""Cross-validated evaluation: per-label precision/recall/F1, the confusion matrix, macro-F1 per fold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from nlu.model import ModelOptions, TextModel, WordCutter

if TYPE_CHECKING:
    from nlu.bundle import NluModel


@dataclass
class Evaluation:
    labels: list[str]
    truth: list[str]
    predicted: list[str]
    fold_f1: list[float] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        from sklearn.metrics import f1_score

        return float(f1_score(self.truth, self.predicted, labels=self.labels, average="macro", zero_division=0))

    @property
    def accuracy(self) -> float:
        return sum(t == p for t, p in zip(self.truth, self.predicted)) / (len(self.truth) or 1)

    def per_label(self) -> list[tuple[str, float, float, float, int]]:
        """(label, precision, recall, F1, support) per label."""
        from sklearn.metrics import precision_recall_fscore_support

        p, r, f, s = precision_recall_fscore_support(self.truth, self.predicted, labels=self.labels, zero_division=0)
        return [(label, float(p[i]), float(r[i]), float(f[i]), int(s[i])) for i, label in enumerate(self.labels)]

    def confusion(self) -> list[list[int]]:
        """Rows are the true labels, columns the predicted ones, both in ``labels`` order."""
        index = {label: i for i, label in enumerate(self.labels)}
        matrix = [[0] * len(self.labels) for _ in self.labels]
        for t, p in zip(self.truth, self.predicted):
            matrix[index[t]][index[p]] += 1
        return matrix


def cross_validate(texts: Sequence[str], labels: Sequence[str], cut: WordCutter, folds: int = 5,
                   options: ModelOptions = ModelOptions(calibrate=False), seed: int = 0,
                   progress: Callable[[Iterable], Iterable] = lambda it: it) -> Evaluation:
    """Stratified k-fold: every text is predicted once by a model that never saw it.

    Calibration does not change which label wins, so it is off here by default (a third of the time).
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    labels = [str(y) for y in labels]
    smallest = min(labels.count(y) for y in set(labels))
    folds = max(2, min(folds, smallest))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted: list[str] = [""] * len(labels)
    fold_f1 = []
    for train, test in progress(list(splitter.split(texts, labels))):
        model = TextModel(options).bind(cut).fit([texts[i] for i in train], [labels[i] for i in train])
        guesses = model.predict([texts[i] for i in test])
        for i, guess in zip(test, guesses):
            predicted[i] = guess
        fold_f1.append(float(f1_score([labels[i] for i in test], guesses, average="macro", zero_division=0)))
    return Evaluation(sorted(set(labels)), labels, predicted, fold_f1)


def held_out(model: "NluModel", texts: Sequence[str], labels: Sequence[str], cut: WordCutter) -> Evaluation:
    """A trained model's category classifier scored on a table it never saw (no folds)."""
    classifier = model.bind(cut).category
    predicted = classifier.predict(texts)
    truth = [str(y) for y in labels]
    return Evaluation(sorted(set(truth) | set(predicted)), truth, predicted)


def format_report(evaluation: Evaluation) -> str:
    """Plain-text tables: per-label scores, the confusion matrix, and the cross-validation summary."""
    width = max(8, *(len(label) * 2 for label in evaluation.labels))
    lines = [f"{'label':<{width}}  precision  recall     F1  support"]
    for label, p, r, f, s in evaluation.per_label():
        lines.append(f"{_pad(label, width)}  {p:9.3f}  {r:6.3f}  {f:5.3f}  {s:7d}")
    lines += ["", "confusion matrix (rows: true, columns: predicted, in the order above)"]
    for label, row in zip(evaluation.labels, evaluation.confusion()):
        lines.append(f"{_pad(label, width)}  " + " ".join(f"{n:5d}" for n in row))
    folds = ", ".join(f"{f:.3f}" for f in evaluation.fold_f1)
    how = f"{len(evaluation.fold_f1)}-fold cross-validation" if evaluation.fold_f1 else "held-out"
    lines += ["", f"{how}: macro-F1 {evaluation.macro_f1:.3f}" + (f" (folds: {folds})" if folds else "")
              + f"; accuracy {evaluation.accuracy:.3f}; {len(evaluation.truth)} examples"]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """Left-align text that mixes CJK (two columns wide) and ASCII."""
    shown = sum(2 if ord(c) > 0x2E80 else 1 for c in text)
    return text + " " * max(0, width - shown)


# ---------------------------------------------------------------- emergencies: present events and look-alikes


@dataclass
class AlarmScore:
    """How a labelled set of messages fared: an alarm counts as right when it names the line's kind."""

    present: int                       # lines that are an emergency now
    caught: int                        # of those, raised with the right kind
    alarms: int                        # alarms raised on any line
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)    # alarms on look-alikes, or of the wrong kind

    @property
    def recall(self) -> float:
        return self.caught / (self.present or 1)

    @property
    def precision(self) -> float:
        return (self.alarms - len(self.false)) / (self.alarms or 1)


def score_alarms(lines: Iterable[tuple[str, str | None]], emergency_of: Callable[[str], str | None]) -> AlarmScore:
    """Score ``emergency_of`` (text → kind or None) on (text, kind or None) lines."""
    score = AlarmScore(0, 0, 0)
    for text, kind in lines:
        found = emergency_of(text)
        score.present += kind is not None
        score.alarms += found is not None
        if kind is not None and found == kind:
            score.caught += 1
        elif kind is not None:
            score.missed.append(f"{text} ({found or '-'} for {kind})")
        if found is not None and found != kind:
            score.false.append(f"{text} ({found})")
    return score
