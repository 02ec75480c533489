"""The trained NLU model as one file: an intent model, a category model, and where they came from.

The intent model always learns from the Rasa-format data in data/nlu. The category model learns either
from the same data (the report_<category> intents) or from a deployment's labelled table of old tickets
(`sandan nlu train --csv`), which then decides the taxonomy.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from nlu.model import ModelOptions, TextModel, WordCutter
from nlu.training import NluData

log = logging.getLogger(__name__)

FORMAT_VERSION = 3     # 2: the model reads at most ModelOptions.max_chars; 3: char vocabularies as NgramIndex

#: Small data: calibrate with 3 folds and keep every n-gram (a handful of examples per label).
SMALL_DATA = ModelOptions(words=True, char_range=(1, 3), min_df=1, C=0.5, calibrate=True)
#: A table of real tickets: thousands of rows, so drop n-grams seen once (smaller, faster, as accurate), and
#: give the leading sentence (a petition's title, a ticket's first line) features of its own: +0.6 macro-F1
#: points on teddy2020 (bench/nlu_bench.py).
TABLE_DATA = ModelOptions(words=True, char_range=(1, 3), min_df=2, C=0.5, calibrate=True, head=40)


@dataclass
class NluModel:
    intent: TextModel
    category: TextModel | None
    fingerprint: str                  # of the data/nlu files the intent model learned from
    category_source: str              # "nlu-data" or the table's file name
    trained_at: float
    version: int = FORMAT_VERSION

    def bind(self, cut: WordCutter) -> "NluModel":
        self.intent.bind(cut)
        if self.category is not None:
            self.category.bind(cut)
        return self


def train_from_data(data: NluData, cut: WordCutter) -> NluModel:
    """Both models from the Rasa-format data."""
    intent = TextModel(SMALL_DATA).bind(cut).fit([e.text for e in data.examples], [e.intent for e in data.examples])
    reports = [e for e in data.examples if e.category]
    category = None
    if len({e.category for e in reports}) >= 2:
        category = TextModel(SMALL_DATA).bind(cut).fit([e.text for e in reports], [e.category for e in reports])
    return NluModel(intent, category, data.fingerprint, "nlu-data", time.time())


def train_category_from_table(texts: list[str], labels: list[str], cut: WordCutter) -> TextModel:
    return TextModel(TABLE_DATA).bind(cut).fit(texts, labels)


def save_model(model: NluModel, path: Path) -> int:
    """Write atomically (a half-written file must never be loaded); returns the size in bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.tmp")   # several workers may train at once
    with tmp.open("wb") as f:
        pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return path.stat().st_size


def load_model(path: Path) -> NluModel | None:
    """The saved model, or None when there is none or it cannot be read (it is then retrained)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        with path.open("rb") as f:
            model = pickle.load(f)
    except Exception as e:  # an old sklearn, a truncated file: retrain rather than fail to start
        log.warning("cannot read the NLU model %s (%s); retraining", path, e)
        return None
    if not isinstance(model, NluModel) or model.version != FORMAT_VERSION:
        return None
    return model
