"""Which volunteers a 征集 reaches: those whose 特长 fits the task or whose 服务时间 says they are free now.

The roster's two fields are free text from chat (「我的特长 水电维修、电工」, 「我的服务时间 工作日晚上」), so they are
read loosely: a skill fits when a two-character piece of it appears in the ticket (its words or its category);
a free time is a set of days (周末, 工作日, 周三…) and/or parts of the day (``volunteers.free_hours``), and the
volunteer is free now when both the day and the hour agree (a missing half agrees). When nobody fits either
way, every volunteer of the community is asked, as before matching existed.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from settings import VolunteerSettings

WEEKDAYS = "一二三四五六日"
DAY_WORDS: dict[str, tuple[int, ...]] = {
    "周末": (5, 6), "双休": (5, 6), "节假日": (5, 6), "工作日": (0, 1, 2, 3, 4), "平时": (0, 1, 2, 3, 4),
    "平日": (0, 1, 2, 3, 4), "周天": (6,), "星期天": (6,), "礼拜天": (6,),
    **{f"{prefix}{d}": (i,) for i, d in enumerate(WEEKDAYS) for prefix in ("周", "星期", "礼拜")},
}
ALWAYS_WORDS = ("随时", "全天", "都行", "都可以", "每天", "天天", "有空就")
SKILL_SEPARATORS = re.compile(r"[\s,，、;；/和及]+")


def free_now(free_times: str, local_now: datetime, settings: VolunteerSettings) -> bool:
    """Whether the roster's 服务时间 covers this local moment; an empty or unreadable one does not."""
    text = free_times or ""
    if any(word in text for word in ALWAYS_WORDS):
        return True
    days = [d for word, ds in DAY_WORDS.items() if word in text for d in ds]
    hours = [span for word, span in settings.free_hours.items() if word in text]
    if not days and not hours:
        return False
    day_ok = not days or local_now.weekday() in days
    hour_ok = not hours or any(start <= local_now.hour < end for start, end in hours)
    return day_ok and hour_ok


def skill_fits(skills: str, ticket: dict[str, Any], settings: VolunteerSettings) -> bool:
    """A skill fits when a two-character piece of it (not a generic one: 维修, 服务…) is in the ticket."""
    told = f"{ticket.get('category') or ''} {ticket.get('text') or ''}"
    for skill in SKILL_SEPARATORS.split(skills or ""):
        pieces = {skill[i:i + 2] for i in range(len(skill) - 1)} - set(settings.generic_skill_words)
        if any(piece in told for piece in pieces):
            return True
    return False


def matching(people: list[dict[str, Any]], ticket: dict[str, Any], local_now: datetime,
             settings: VolunteerSettings) -> list[dict[str, Any]]:
    """The volunteers to ask: those who fit by skill or are free now, else all of them."""
    chosen = [p for p in people
              if skill_fits(p.get("skills", ""), ticket, settings) or free_now(p.get("free_times", ""), local_now, settings)]
    return chosen or people
