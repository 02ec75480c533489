"""The knowledge base for 回复解释: service items answered in one go (一次性告知), found by BM25 over jieba tokens."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.tokenizer import Tokenizer

#: The fields an answer names, in the order people need them.
ANSWER_FIELDS = (("materials", "带齐材料"), ("where", "办理地点"), ("office", "负责部门"), ("phone", "咨询电话"),
                 ("hours", "办理时间"), ("time_limit", "办结时限"), ("notes", "温馨提示"))


#: Words every question has; they say nothing about which item is meant.
QUESTION_WORDS = frozenset("请问 社区 什么 时候 怎么 怎样 如何 哪里 哪儿 需要 可以 能 今年 现在 我 想 问 一下 咨询 办 有没有".split())


@dataclass(frozen=True)
class Item:
    title: str
    questions: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]   # (label, value) in ANSWER_FIELDS order


@dataclass
class KnowledgeBase:
    items: list[Item]
    tokenizer: Tokenizer
    k1: float = 1.5
    b: float = 0.75
    _docs: list[Counter] = field(default_factory=list)
    _idf: dict[str, float] = field(default_factory=dict)
    _avg_len: float = 1.0

    def __post_init__(self) -> None:
        self._docs = [Counter(self.tokenizer.content_tokens(" ".join((i.title, *i.questions)))) for i in self.items]
        df: Counter = Counter(t for d in self._docs for t in d)
        n = len(self._docs) or 1
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._avg_len = sum(sum(d.values()) for d in self._docs) / n or 1.0

    def search(self, question: str, min_score: float = 2.0, min_coverage: float = 0.6) -> Item | None:
        """The best item for a question, or None when nothing matches well enough to answer.

        Besides a BM25 score, at least ``min_coverage`` of the question's words must occur in the item:
        one shared word ("报名") is not enough to answer a question about something else.
        """
        query = [t for t in self.tokenizer.content_tokens(question) if t not in QUESTION_WORDS]
        if not query:
            return None
        best, best_score = None, 0.0
        for item, doc in zip(self.items, self._docs):
            if sum(1 for t in query if t in doc) < min_coverage * len(query):
                continue
            length = sum(doc.values())
            score = sum(
                self._idf.get(t, 0.0) * doc[t] * (self.k1 + 1)
                / (doc[t] + self.k1 * (1 - self.b + self.b * length / self._avg_len))
                for t in query if t in doc)
            if score > best_score:
                best, best_score = item, score
        return best if best_score >= min_score else None


def load_knowledge(path: Path, tokenizer: Tokenizer) -> KnowledgeBase:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = []
    for entry in raw.get("items", []):
        fields = tuple((label, str(entry[key])) for key, label in ANSWER_FIELDS if entry.get(key))
        items.append(Item(entry["title"], tuple(entry.get("questions", [])), fields))
    return KnowledgeBase(items, tokenizer)
