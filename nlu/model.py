"""The learned text classifier: TF-IDF over jieba words and character n-grams, a linear SVM, calibrated.

Words carry meaning ("路灯", "医保"); character n-grams survive typos, unseen names and jieba's mistakes.
Calibration (Platt scaling fitted on cross-validated SVM margins) turns margins into probabilities, so a
low probability can send a message to the dispatcher's review queue instead of a guess.

scikit-learn trains; inference does not use it. Its per-call input checks cost ~10 ms a message, so after
fitting the model keeps only plain arrays (the char vocabularies as sorted integers, nlu/ngram_index.py; the word
vocabulary; idf, weights, sigmoid) and scores one text with no Python statement per n-gram. Those arrays are also
what gets pickled: small, and independent of sklearn's version.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from operator import add
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

if TYPE_CHECKING:   # scikit-learn is imported only to train: it costs a second of start-up
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

import numpy as np

from nlu.ngram_index import NgramIndex

WordCutter = Callable[[str], list[str]]
_WHITE = re.compile(r"\s\s+")


@dataclass(frozen=True)
class ModelOptions:
    """What the features and the classifier look like; the defaults were chosen on teddy2020 (bench/)."""

    words: bool = True
    char_range: tuple[int, int] = (1, 3)
    min_df: int = 1
    max_features: int | None = None
    C: float = 0.5
    calibrate: bool = True
    head: int = 0          # >0: the first sentence (up to this many characters) gets features of its own
    head_words: bool = False   # with head: its jieba words too, not only its character n-grams
    balanced: bool = True      # weigh rare labels up, so a small category is not drowned by a big one
    max_chars: int = 500       # the model reads at most this much of a message: a 4,000-character letter costs
                               # as much as a chat line, and its opening says what it is about
    word_chars: int = 150      # jieba cuts at most this much of it (jieba is most of a parse's time: ~10 µs a
                               # character); the char n-grams read on to max_chars


_SENTENCE_END = re.compile(r"[。！？!?\n]")


def head_of(text: str, limit: int) -> str:
    """The leading sentence: in a complaint it is usually the writer's own summary (a title)."""
    m = _SENTENCE_END.search(text, 0, limit + 1)
    return text[:m.start()] if m else text[:limit]


class _Words:
    """The word analyzer. The jieba instance is bound at run time, never pickled (it is 50 MB)."""

    def __init__(self) -> None:
        self.cut: WordCutter | None = None

    def __call__(self, text: str) -> list[str]:
        assert self.cut is not None, "call TextModel.bind(cut) after loading"
        return self.cut(text)

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self.cut = None


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x) without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def normalised(text: str) -> str:
    """What sklearn's analyzer='char' reads: lowercased, runs of white space made one space."""
    return _WHITE.sub(" ", text.lower())


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Exactly sklearn's analyzer='char'.

    Each length is built from the one below by string concatenation in C (``map(add, …)``), not by slicing in a
    Python loop. (The model looks n-grams up through an :class:`NgramIndex` when they fit one; this is the
    fallback for very long n-grams over a very large alphabet.)
    """
    text = normalised(text)
    grams: list[str] = []
    longer: Iterable[str] = text
    for n in range(1, min(high, len(text)) + 1):
        if n > 1:
            longer = list(map(add, longer, text[n - 1:]))
        if n >= low:
            grams.extend(longer)
    return grams


@lru_cache(maxsize=128)   # the intent and the category model read the same message the same way
def char_counts(text: str, low: int, high: int) -> dict[str, int]:
    """How often each character n-gram occurs (read only: it is shared between the models)."""
    return Counter(char_ngrams(text, low, high))


@dataclass
class _Block:
    """One fitted TF-IDF vectorizer as plain data: where its features start in the weight matrix."""

    kind: str                       # "char" | "word"
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int
    ngram_range: tuple[int, int] = (1, 1)
    index: NgramIndex | None = None     # char blocks: the vocabulary as integers (then ``vocabulary`` is empty)


class TextModel:
    """Texts in, label probabilities out. Any taxonomy: the labels are whatever it was trained on."""

    def __init__(self, options: ModelOptions = ModelOptions()) -> None:
        self.options = options
        self._words = _Words()
        self.labels: list[str] = []
        self._blocks: list[_Block] = []
        self._weights = np.zeros((0, 0), dtype=np.float32)   # features × labels
        self._intercept = np.zeros(0, dtype=np.float32)
        self._sigmoid: tuple[np.ndarray, np.ndarray] | None = None   # Platt a, b per label

    def bind(self, cut: WordCutter) -> "TextModel":
        """Give the model the word cutter (the engine's jieba with the deployment's dictionary)."""
        self._words.cut = cut
        return self

    # ------------------------------------------------------------ training (scikit-learn)

    def _vectorizers(self, rows: int = 10**9) -> list[tuple[str, TfidfVectorizer]]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        o = self.options
        # Pruning rare n-grams pays on thousands of rows; on a handful it can leave a block empty.
        min_df = o.min_df if rows >= 200 else 1
        common = dict(sublinear_tf=True, min_df=min_df, max_features=o.max_features, dtype=np.float32)
        out = [("char", TfidfVectorizer(analyzer="char", ngram_range=o.char_range, **common))]
        if o.words:
            out.append(("word", TfidfVectorizer(analyzer=self._text_words, **common)))
        if o.head:
            out.append(("head-char", TfidfVectorizer(analyzer="char", ngram_range=o.char_range,
                                                     preprocessor=self._head, **common)))
        if o.head and o.head_words:
            out.append(("head-word", TfidfVectorizer(analyzer=self._head_words, **common)))
        return out

    def _text_words(self, text: str) -> list[str]:
        limit = getattr(self.options, "word_chars", 0)    # models saved before this cut all they read
        return self._words(text[:limit] if limit else text)

    def _head_words(self, text: str) -> list[str]:
        return self._words(head_of(text, self.options.head))

    def _head(self, text: str) -> str:
        return head_of(text, self.options.head).lower()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "TextModel":
        from scipy.sparse import hstack
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        labels = [str(y) for y in labels]
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two different labels")
        texts = [self._capped(t) for t in texts]
        vectorizers = self._vectorizers(len(texts))
        x = hstack([v.fit_transform(texts) for _, v in vectorizers], format="csr")
        svm = LinearSVC(C=self.options.C, class_weight="balanced" if self.options.balanced else None)
        smallest = min(Counter(labels).values())
        if self.options.calibrate and smallest >= 2:
            # ensemble=False: one SVM on all the data, the sigmoid fitted on cross-validated margins.
            calibrated = CalibratedClassifierCV(svm, cv=min(3, smallest), method="sigmoid", ensemble=False)
            calibrated.fit(x, labels)
            fitted = calibrated.calibrated_classifiers_[0]
            svm = fitted.estimator
            self._sigmoid = (np.array([c.a_ for c in fitted.calibrators], dtype=np.float64),
                             np.array([c.b_ for c in fitted.calibrators], dtype=np.float64))
        else:
            svm.fit(x, labels)
            self._sigmoid = None
            calibrated = None
        self.labels = [str(c) for c in svm.classes_]
        self._compile(vectorizers, svm)
        self._fitted = (vectorizers, svm, calibrated)     # for the parity check; never pickled
        return self

    def _capped(self, text: str) -> str:
        limit = getattr(self.options, "max_chars", 0)     # models saved before the cap read everything
        return text[:limit] if limit else text

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_fitted"}

    def sklearn_predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray | None]:
        """scikit-learn's own predict, decision_function and predict_proba on the fitted objects (only right after
        fit): what the plain-Python inference must reproduce."""
        vectorizers, svm, calibrated = self.__dict__["_fitted"]
        from scipy.sparse import hstack

        capped = [self._capped(t) for t in texts]
        x = hstack([v.transform(capped) for _, v in vectorizers], format="csr")
        return ([str(y) for y in svm.predict(x)], svm.decision_function(x),
                calibrated.predict_proba(x) if calibrated is not None else None)

    def _compile(self, vectorizers: list[tuple[str, TfidfVectorizer]], svm: LinearSVC) -> None:
        blocks, offset = [], 0
        for kind, v in vectorizers:
            vocabulary = dict(v.vocabulary_)
            index = NgramIndex.build(vocabulary, v.ngram_range) if kind in ("char", "head-char") else None
            blocks.append(_Block(kind, {} if index else vocabulary, v.idf_.astype(np.float32), offset,
                                 v.ngram_range, index))
            offset += len(vocabulary)
        self._blocks = blocks
        self._weights = np.ascontiguousarray(svm.coef_.T, dtype=np.float32)
        self._intercept = np.asarray(svm.intercept_, dtype=np.float32)

    # ------------------------------------------------------------ inference (numpy only)

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and TF-IDF values of one text, each block L2-normalised like sklearn's.

        No Python statement runs per n-gram: char n-grams are counted and looked up as integers by numpy
        (:class:`NgramIndex`), words by ``Counter`` and ``map(vocabulary.get, …)``, the arithmetic by numpy.
        """
        text = self._capped(text)
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for block in self._blocks:
            columns, tf = self._found(block, text)
            if not len(columns):
                continue
            weights = (np.log(tf) + 1.0) * block.idf[columns]        # sublinear tf × idf, as the vectorizer
            norm = math.sqrt(float(weights @ weights)) or 1.0
            indices.append(columns + block.offset)
            values.append(weights / norm)
        if not indices:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float64)
        return np.concatenate(indices), np.concatenate(values)

    def _found(self, block: _Block, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, counts) of the block's n-grams (or words) that occur in the (capped) text."""
        if block.kind in ("char", "head-char"):
            source = text if block.kind == "char" else self._head(text)
            if block.index is not None:
                return block.index.found(normalised(source))
            counts = char_counts(source, *block.ngram_range)
        else:
            counts = Counter(self._head_words(text) if block.kind == "head-word" else self._text_words(text))
        n = len(counts)
        columns = np.fromiter(map(block.vocabulary.get, counts, repeat(-1, n)), np.intp, n)
        hit = columns >= 0
        return columns[hit], np.fromiter(counts.values(), np.int64, n)[hit]

    def decision(self, text: str) -> np.ndarray:
        """The SVM margin per label (one column for two labels, as sklearn gives it)."""
        idx, val = self._features(text)
        return val @ self._weights[idx] + self._intercept

    def proba(self, text: str) -> np.ndarray:
        return np.array(self._proba(self.decision(text).tolist()))

    def _proba(self, margin: list[float]) -> list[float]:
        """Probabilities from margins: Platt's sigmoid per label, normalised (a softmax if uncalibrated).

        Plain floats: for a dozen labels, numpy's per-call cost is most of the time.
        """
        n = len(self.labels)
        if self._sigmoid is None:
            scores = [-margin[0], margin[0]] if n == 2 else margin
            top = max(scores)
            e = [math.exp(s - top) for s in scores]
            return [x / sum(e) for x in e]
        a, b = self._sigmoid
        p = [_sigmoid(-(ai * m + bi)) for ai, bi, m in zip(a.tolist(), b.tolist(), margin)]
        if n == 2:
            return [1.0 - p[0], p[0]]
        total = sum(p)
        return [x / total for x in p] if total > 0 else [1.0 / n] * n

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self.proba(t) for t in texts]) if texts else np.zeros((0, len(self.labels)))

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The best label per text: the SVM's own decision."""
        out = []
        for text in texts:
            margin = self.decision(text)
            best = (1 if margin[0] > 0 else 0) if len(self.labels) == 2 else int(np.argmax(margin))
            out.append(self.labels[best])
        return out

    def distribution(self, text: str) -> dict[str, float]:
        return dict(zip(self.labels, self._proba(self.decision(text).tolist())))

    @property
    def n_features(self) -> int:
        return self._weights.shape[0]
