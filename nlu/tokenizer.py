"""jieba with a user dictionary built from the deployment, so place and facility names segment whole."""

from __future__ import annotations

import logging
import re

import jieba

from nlu.gazetteer import Gazetteer

jieba.setLogLevel(logging.WARNING)

#: Words that carry no meaning for classification.
STOPWORDS = frozenset(
    "的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 啊 吧 呢 吗 嘛 哦 呀 "
    "请 您 麻烦 一下 这个 那个 我们 他们 还 又 把 被 让 给 对 从 与 及 或 等 里 中 ， 。 ！ ？ 、 ： ； “ ” ‘ ’ （ ） "
    ", . ! ? : ; ( ) ~ - 【 】 … 　".split()
)

_SPACE = re.compile(r"\s+")


class Tokenizer:
    """A jieba instance of its own, so several deployments (tests) never share a dictionary."""

    def __init__(self, gazetteer: Gazetteer | None = None, extra_words: list[str] | None = None) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in (gazetteer.words() if gazetteer else []) + (extra_words or []):
            self._jieba.add_word(word, freq=200000)

    def tokens(self, text: str) -> list[str]:
        return [t for t in self._jieba.lcut(text) if not _SPACE.fullmatch(t)]

    def content_tokens(self, text: str) -> list[str]:
        return [t for t in self.tokens(text) if t not in STOPWORDS]
