"""The knowledge base for 回复解释: service items answered in one go (一次性告知), found by BM25 over jieba tokens."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from nlu.script import simplified
from nlu.tokenizer import Tokenizer
from nlu.types import Parse

#: The fields an answer names, in the order people need them.
ANSWER_FIELDS = (("materials", "带齐材料"), ("where", "办理地点"), ("office", "负责部门"), ("phone", "咨询电话"),
                 ("hours", "办理时间"), ("time_limit", "办结时限"), ("notes", "温馨提示"))


#: Words every question has; they say nothing about which item is meant.
QUESTION_WORDS = frozenset(
    "请问 社区 什么 时候 怎么 怎样 如何 哪里 哪儿 哪 去哪 去 在哪 在哪里 需要 要 带 材料 手续 流程 可以 能 能不能 今年 现在 "
    "哪办 去哪办 在哪办 去哪里 我 我家 我们 家里 想 问 一下 咨询 办 办理 怎么办 申请 有没有 有 没有 谁 找谁 找 来 多少 几 吗 呢 啊 呀 了 的 "
    "我爸 我妈 爸爸 妈妈 父亲 母亲 老公 老婆 家人 岁 多岁 "
    # the same words as people type them in chat: 啥 (什么), 咋 (怎么), 不 at the end (能调解不)
    "啥 要带啥 带啥 咋 咋办 咋弄 咋上 上 不 嘛 嘞 滴 刚 出生 刚出生".split())
def _normalise(text: str, synonyms: dict[str, str]) -> str:
    """Write every synonym as its canonical word ("敬老卡" → "老年出行卡"), longest first, before tokenising."""
    for surface in sorted(synonyms, key=len, reverse=True):
        if surface in text:
            text = text.replace(surface, synonyms[surface])
    return text


@dataclass(frozen=True)
class Item:
    title: str
    questions: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]   # (label, value) in ANSWER_FIELDS order


@dataclass
class KnowledgeBase:
    items: list[Item]
    tokenizer: Tokenizer
    synonyms: dict[str, str] = field(default_factory=dict)   # surface → canonical word
    k1: float = 1.5
    b: float = 0.75
    _docs: list[Counter] = field(default_factory=list)
    _phrasings: list[list[set[str]]] = field(default_factory=list)   # per item: content words of each question
    _canonical_words: frozenset[str] = frozenset()
    _canonical: re.Pattern[str] | None = None
    _idf: dict[str, float] = field(default_factory=dict)
    _avg_len: float = 1.0

    def __post_init__(self) -> None:
        self._canonical_words = frozenset(self.synonyms.values())
        self._canonical = re.compile("(" + "|".join(map(re.escape, sorted(self._canonical_words, key=len, reverse=True)))
                                     + ")") if self._canonical_words else None
        self._docs = [Counter(self._words(" ".join((i.title, *i.questions)))) for i in self.items]
        self._phrasings = [[set(self._words(q)) - QUESTION_WORDS for q in (i.title, *i.questions)] for i in self.items]
        df: Counter = Counter(t for d in self._docs for t in d)
        n = len(self._docs) or 1
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._avg_len = sum(sum(d.values()) for d in self._docs) / n or 1.0

    def _words(self, text: str) -> list[str]:
        """Content words, the canonical synonyms kept whole even where jieba would split them."""
        words: list[str] = []
        for piece in self._canonical.split(_normalise(text, self.synonyms)) if self._canonical else [text]:
            if piece in self._canonical_words:
                words.append(piece)
            elif piece:
                words.extend(t for t in self.tokenizer.content_tokens(piece) if not t.isdigit())
        return words

    def _covered(self, index: int, query: list[str], min_coverage: float) -> bool:
        """Enough of the question is about this item, or one way of asking for it is said in full.

        The first rule stops one shared word ("报名") from answering a question about something else; the
        second lets extra words through ("我爸70岁了，坐公交的老年卡去哪办" still asks "老年卡怎么办理").
        """
        doc = self._docs[index]
        if sum(1 for t in query if t in doc) >= min_coverage * len(query):
            return True
        said = set(query)
        return any(words and words <= said for words in self._phrasings[index])

    def search(self, question: str, min_score: float = 2.0, min_coverage: float = 0.6) -> Item | None:
        """The best item for a question, or None when nothing matches well enough to answer."""
        query = [t for t in self._words(simplified(question)) if t not in QUESTION_WORDS]
        if not query:
            return None
        best, best_score = None, 0.0
        for index, (item, doc) in enumerate(zip(self.items, self._docs)):
            if not self._covered(index, query, min_coverage):
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
    """Items and synonym groups (``synonyms: [[老年出行卡, 敬老卡, 老年卡], …]``, canonical word first)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = []
    for entry in raw.get("items", []):
        fields = tuple((label, str(entry[key])) for key, label in ANSWER_FIELDS if entry.get(key))
        items.append(Item(entry["title"], tuple(entry.get("questions", [])), fields))
    synonyms = {str(s): str(group[0]) for group in raw.get("synonyms", []) for s in group[1:]}
    return KnowledgeBase(items, tokenizer, synonyms)


def answer(parse: Parse, knowledge: KnowledgeBase) -> Item | None:
    """The knowledge-base item that answers a message, or None: the one decision the live bot and `sandan triage`
    share (a question the base cannot answer goes to a person)."""
    return knowledge.search(parse.words) if parse.intent == "question" else None


def answerable(text: str, knowledge: KnowledgeBase) -> bool:
    """Whether the base answers this text well enough to read it as a question about a service."""
    return knowledge.search(text) is not None
