"""The one group policy: what the bot does with a message in a group chat.

Nobody in a group asked the bot anything, so it speaks there only to acknowledge a filed report.
"""

from __future__ import annotations

from nlu.types import Parse
from settings import Config


def files_in_group(config: Config, parse: Parse, with_photos: bool = False) -> bool:
    """Whether a message in a group chat becomes a ticket: a report at least as sure as
    nlu.group_report_threshold, or one that names a place or facility and a problem's words, saying what
    is wrong and not only where.

    「哪家的外卖好吃」 (a weak report) files nothing and gets no reply. ``sandan import-chat`` asks this
    same question, so its --dry-run lists what a real run files.
    """
    if parse.intent != "report" or (parse.only_place and not with_photos):
        return False
    if parse.confidence >= config.settings.nlu.group_report_threshold:
        return True
    # less sure, but it names where and what (「龙西小区5栋楼道灯不亮了」 at 0.49): the problem words decide
    e = parse.entities
    return bool((e.where or e.facility) and parse.problem_words)
