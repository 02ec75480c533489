"""Character n-grams as integers: a message's n-grams counted and found in a vocabulary by numpy, not one Python
string at a time (a 500-character message has 1,500 of them; as strings, making, hashing and looking them up
was most of a parse).

Each character the vocabulary uses gets a code 1…A, any other character A + 1. An n-gram is its codes written as
the digits of one integer in base 2**bits, so every n-gram of every length has an integer of its own (no digit is
0, so the length shows) and an n-gram with a character the vocabulary never saw matches nothing. The vocabulary is
the sorted array of those integers, with the feature column of each.

Rule for this module: numpy only; the text comes in already normalised the way the vectorizer normalises it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: An n-gram's integer must fit in a signed 64-bit integer.
KEY_BITS = 63


@dataclass
class NgramIndex:
    alphabet: str           # the vocabulary's characters, in code order (code = position + 1)
    keys: np.ndarray        # int64, sorted: each vocabulary n-gram as an integer
    columns: np.ndarray     # int32: the feature column of keys[i]
    ngram_range: tuple[int, int]

    @classmethod
    def build(cls, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> NgramIndex | None:
        """The index of a fitted char vectorizer's vocabulary; None when its longest n-gram would not fit."""
        alphabet = "".join(sorted({ch for gram in vocabulary for ch in gram}))
        bits = (len(alphabet) + 1).bit_length()
        if bits * ngram_range[1] > KEY_BITS:
            return None
        code = {ch: i + 1 for i, ch in enumerate(alphabet)}
        keys = np.zeros(len(vocabulary), dtype=np.int64)
        for i, gram in enumerate(vocabulary):
            key = 0
            for ch in gram:
                key = (key << bits) | code[ch]
            keys[i] = key
        order = np.argsort(keys, kind="stable")
        columns = np.fromiter(vocabulary.values(), dtype=np.int32, count=len(vocabulary))
        return cls(alphabet, keys[order], columns[order], ngram_range)

    @property
    def bits(self) -> int:
        return (len(self.alphabet) + 1).bit_length()

    def _codes(self) -> np.ndarray:
        """Code of every code point up to the alphabet's last; one more slot for everything above (made once)."""
        table = self.__dict__.get("_table")
        if table is None:
            points = np.array([ord(ch) for ch in self.alphabet], dtype=np.int64)
            unknown = len(self.alphabet) + 1
            table = np.full(int(points.max(initial=0)) + 2, unknown, dtype=np.int64)
            table[points] = np.arange(1, unknown, dtype=np.int64)
            self.__dict__["_table"] = table
        return table

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_table"}

    def keys_of(self, text: str) -> np.ndarray:
        """The integer of every n-gram of the text, n in ngram_range (unsorted, repeats kept)."""
        table = self._codes()
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        codes = table[np.minimum(points, len(table) - 1)]
        low, high = self.ngram_range
        bits = self.bits
        parts, keys = [], codes
        for n in range(1, min(high, len(codes)) + 1):
            if n > 1:
                keys = (keys[:-1] << bits) | codes[n - 1:]
            if n >= low:
                parts.append(keys)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def found(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, counts) of the text's n-grams that are in the vocabulary, columns ascending by key."""
        distinct, counts = np.unique(self.keys_of(text), return_counts=True)
        if not len(distinct) or not len(self.keys):
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, distinct), len(self.keys) - 1)
        hit = self.keys[at] == distinct
        return self.columns[at[hit]], counts[hit]
