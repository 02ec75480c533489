"""Judgements about a message's words that the conversation needs, made once when the text is parsed.

Rule for this module: pure functions of the text, the gazetteer and the parse so far; no store, no settings.
"""

from __future__ import annotations

import re

from nlu.gazetteer import Gazetteer

#: What may stand beside a place name in a message that only says where (「我住在平东小区3栋」).
_PLACE_FILLER = re.compile(r"[\W\d_a-zA-Z]|我|住|在|家|是|的|了|这|那|里|边|附近|小区|号楼|栋|单元|室|号|楼")


def names_only_a_place(text: str, gazetteer: Gazetteer) -> bool:
    """「广场花苑小区」, 「我住在平东小区」, 「芙蓉苑5栋 asdf」: a place and nothing about a problem."""
    rest = text
    for name in gazetteer.places:
        rest = rest.replace(name.surface, "")
    return not _PLACE_FILLER.sub("", rest)
