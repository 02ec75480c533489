"""Chat commands with a fixed shape ("接单 12", "办结 12 已更换", "进度 12"), matched before any model.

A command is exact by design: staff type them dozens of times a day and must never be second-guessed.
"""

from __future__ import annotations

import re
from typing import Any

_NUM = r"#?\s*(\d{1,9})"

#: (intent, pattern); the first match wins. Named groups become the Parse's args.
COMMANDS: list[tuple[str, re.Pattern[str]]] = [
    ("my_tickets", re.compile(r"^\s*(我的工单|我的报事|我的单子|我的投诉|工单列表|待办|我的待办|待办工单)\s*$")),
    ("status", re.compile(rf"^\s*(进度|查询|查单|工单)\s*{_NUM}\s*$")),
    ("claim", re.compile(rf"^\s*(接单|认领)\s*{_NUM}\s*$")),
    ("start", re.compile(rf"^\s*(处理中|开始处理)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("resolve", re.compile(rf"^\s*(办结|完成|已办结)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("transfer", re.compile(rf"^\s*(转交|转办)\s*{_NUM}\s*(?P<target>\S+)\s*(?P<note>.*)$", re.S)),
    ("reassign", re.compile(rf"^\s*(改派|派单)\s*{_NUM}\s*(?P<target>\S+)\s*(?P<note>.*)$", re.S)),
    ("withdraw", re.compile(rf"^\s*(撤回|撤销|取消|取消工单)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("reject", re.compile(rf"^\s*(驳回|不予受理)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("rate", re.compile(rf"^\s*(?P<value>非常满意|满意|基本满意|不满意)\s*(?:{_NUM})?\s*(?P<note>.*)$", re.S)),
    ("bind", re.compile(r"^\s*(绑定|邀请码)\s*(?P<code>[A-Za-z0-9]{4,16})\s*$")),
    ("points", re.compile(r"^\s*(我的积分|积分|查积分)\s*$")),
    ("leaderboard", re.compile(r"^\s*(排行榜|积分榜|排名)\s*$")),
    ("redeem", re.compile(r"^\s*兑换\s*(?P<item>\S+)\s*$")),
    ("joint_list", re.compile(r"^\s*(联席会议|联席议题|联席列表)\s*$")),
    ("joint", re.compile(rf"^\s*(联席|提交联席)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("joint_settle", re.compile(rf"^\s*(议定|联席议定)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("merge", re.compile(r"^\s*合并\s*#?\s*(?P<ticket>\d{1,9})\s*(到|入|进|至|->|→)?\s*#?\s*(?P<into>\d{1,9})\s*$")),
    ("help", re.compile(r"^\s*(帮助|help|\?|？|菜单|怎么用|使用说明)\s*$", re.I)),
    # a staff command typed without its ticket number: say how, rather than guess
    ("missing_number", re.compile(r"^\s*(?P<verb>接单|认领|办结|完成|处理中|开始处理|转交|转办|驳回|改派|派单|撤回|取消工单)\s*$")),
]


def match_command(text: str) -> tuple[str, dict[str, Any]] | None:
    """Return (intent, args) when the text is a command, else None."""
    for intent, pattern in COMMANDS:
        m = pattern.match(text)
        if not m:
            continue
        args: dict[str, Any] = {k: v.strip() for k, v in m.groupdict().items() if v}
        numbers = [g for g in m.groups() if g and g.isdigit()]
        if numbers:
            args["ticket"] = int(numbers[0])
        if "into" in args:
            args["into"] = int(args["into"])
        if intent == "rate" and args.get("value") == "非常满意":
            args["value"] = "满意"
        return intent, args
    return None
