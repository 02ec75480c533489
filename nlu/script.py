"""Traditional characters → simplified, before anything else reads a message.

The deployment's words, the keyword rules, jieba's dictionary and the model all know simplified Chinese; a gas
leak written 「煤氣洩漏」 must be the same message as 「煤气泄漏」. OpenCC's ``tw2s`` table also turns the
traditional 著 of 著火 into 着 (plain ``t2s`` keeps 著, a valid simplified character, and misses 着火).
Simplified text passes through unchanged, so every message is converted: one C++ call of a few microseconds.
"""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("tw2s")


def simplified(text: str) -> str:
    """The text in simplified characters (ASCII and simplified text are left as they are)."""
    if text.isascii():
        return text
    return _converter().convert(text.replace("\x00", ""))     # OpenCC reads a C string: NUL would end it
