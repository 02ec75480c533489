"""Messages in English: told apart from Chinese, and read through the deployment's glossary.

A resident or a rider who writes 「There is a gas leak in building 3 of 广场花苑小区」 must get the same alarm, place
and route as one who writes it in Chinese. Rather than a second set of rules and a second model, the deployment's
``english`` glossary writes the words the bot needs (gas leak → 燃气泄漏, broken → 坏了, last year → 去年) in
Chinese, and the one pipeline reads the result. Words the glossary lacks stay as they are and mean nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Numbers that English puts after the noun: building 3 → 3栋.
_NUMBERED = [(re.compile(r"\b(?:building|bldg\.?|block|blk\.?|tower)\s*(?:no\.?\s*)?#?(\d{1,3})\b", re.I), r"\1栋"),
             (re.compile(r"\b(?:unit|entrance)\s*#?(\d{1,2})\b", re.I), r"\1单元"),
             (re.compile(r"\b(?:room|flat|apartment|apt\.?)\s*#?(\d{3,4})\b", re.I), r"\1室")]


def language_of(text: str) -> str:
    """'en' when a message is written in Latin letters (Chinese place names inside are fine), else 'zh'."""
    latin = len(_LATIN.findall(text))
    return "en" if latin >= 6 and latin >= 2 * len(_CJK.findall(text)) else "zh"


@lru_cache(maxsize=8)
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)      # "gas leak" before "leak"
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in ordered) + r")\b", re.I)


def gloss(text: str, glossary: dict[str, str]) -> str:
    """The English words the glossary knows written in Chinese; the rest left as it is."""
    for pattern, replacement in _NUMBERED:
        text = pattern.sub(replacement, text)
    if not glossary:
        return text
    lower = {k.lower(): v for k, v in glossary.items()}
    return _pattern(tuple(lower)).sub(lambda m: lower[m.group(1).lower()], text)


def understood(glossed: str) -> bool:
    """Whether the glossary gave the message any Chinese words to read."""
    return bool(_CJK.search(glossed))
