"""Chat commands with a fixed shape ("接单 12", "办结 12 已更换", "进度 12"), matched before any model.

A command is exact by design: staff type them dozens of times a day and must never be second-guessed.
"""

from __future__ import annotations

import re
from typing import Any

#: 12, #12, 12号, 「：12」; never part of a number (「转交 25」 is not 2 → 「5」). The colon, comma or dash typed after the
#: verb or the number (「接单：12」「答复 3：…」「办结12，已换」) is no part of what follows.
_NUM = r"[\s:：]*#?\s*(\d{1,9})(?!\d)\s*号?[\s:：,，、;；.。\-—]*"
#: A withdrawal typed without its number (「撤回」「撤了吧」) while a report is being told drops that report (handle.py).
WITHDRAW_VERBS = ("撤回", "撤销", "撤掉", "撤了", "取消工单")

#: (intent, pattern); the first match wins. Named groups become the Parse's args.
COMMANDS: list[tuple[str, re.Pattern[str]]] = [
    ("my_tickets", re.compile(r"^\s*(我的工单|我的报事|我的单子|我的投诉|工单列表|待办|我的待办|待办工单)\s*$")),
    ("status", re.compile(rf"^\s*(进度|查询|查单|工单)\s*{_NUM}\s*$")),
    # one handler for both verbs; the verb is kept: a resident's 认领 is told how to volunteer, 接单 that it is for staff
    ("claim", re.compile(rf"^\s*(?P<verb>接单|认领)\s*{_NUM}\s*$")),
    ("start", re.compile(rf"^\s*(处理中|开始处理)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("resolve", re.compile(rf"^\s*(办结|完成|已办结)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("transfer", re.compile(rf"^\s*(转交|转办)\s*{_NUM}\s*(?P<target>\S+)\s*(?P<note>.*)$", re.S)),
    ("reassign", re.compile(rf"^\s*(改派|派单)\s*{_NUM}\s*(?P<target>\S+)\s*(?P<note>.*)$", re.S)),
    ("back_to_review", re.compile(rf"^\s*(退回审核|退回社区|退审)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("send_back", re.compile(rf"^\s*(退回|退单)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    # 转交 / 派单 with a number and nobody to give it to: ask whom, rather than guess
    ("missing_target", re.compile(rf"^\s*(?P<verb>转交|转办|改派|派单)\s*{_NUM}\s*$")),
    ("acknowledge", re.compile(rf"^\s*(收到|确认收到|已收到)\s*{_NUM}\s*$")),
    ("answer", re.compile(rf"^\s*(答复)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("save_answer", re.compile(rf"^\s*(入库|存入知识库|加入知识库)\s*{_NUM}\s*$")),
    ("withdraw", re.compile(rf"^\s*(撤回|撤销|取消|取消工单)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("reject", re.compile(rf"^\s*(驳回|不予受理)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    # working together: 延期申请 and its decision, internal notes, 协办 and a co-handler's part
    ("extend", re.compile(rf"^\s*(延期|申请延期)\s*{_NUM}\s*(?:(?P<amount>\d{{1,3}})\s*(?P<unit>个工作日|工作日|个小时|小时|天|日))?"
                          r"\s*(?P<note>.*)$", re.S)),
    ("decide_extension", re.compile(rf"^\s*(?P<decision>同意延期|批准延期|不同意延期|不批准延期|驳回延期)\s*{_NUM}\s*"
                                    r"(?P<note>.*)$", re.S)),
    ("internal_note", re.compile(rf"^\s*(备注|内部备注)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("co_handle", re.compile(rf"^\s*(协办|加协办)\s*{_NUM}\s*(?P<target>\S+)\s*(?P<note>.*)$", re.S)),
    ("part_done", re.compile(rf"^\s*(协办完成|协办办结)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    # volunteers, 帮办代办 and 回访 (bot/conversation/volunteers.py, proxies.py, followups.py)
    ("volunteer_call", re.compile(rf"^\s*(征集|征集志愿者)\s*{_NUM}\s*$")),
    ("volunteer_confirm", re.compile(rf"^\s*(确认|确认完成)\s*{_NUM}\s*$")),
    ("volunteer_profile", re.compile(r"^\s*我的(?P<field>服务时间|空闲时间|特长|技能)\s*[:：]?\s*(?P<value>.+)$", re.S)),
    ("proxy_report", re.compile(r"^\s*(代办|帮办)\s+(?P<name>[^\s\d]{1,10})\s*(?P<phone>1\d{10})\s+(?P<text>\S.*)$", re.S)),
    # 微心愿 (bot/conversation/wishes.py): wish numbers are their own, apart from ticket numbers
    ("wish_list", re.compile(r"^\s*(心愿|微心愿|心愿墙|心愿单|心愿列表)\s*$")),
    ("my_wishes", re.compile(r"^\s*(我的心愿|我的微心愿)\s*$")),
    ("wish_status", re.compile(rf"^\s*(心愿|微心愿|心愿进度)\s*{_NUM}\s*$")),
    ("wish_claim", re.compile(rf"^\s*(认领心愿|认领微心愿|领心愿)\s*{_NUM}\s*$")),
    ("wish_done", re.compile(rf"^\s*(完成心愿|心愿完成)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("wish_confirm", re.compile(rf"^\s*(确认心愿|心愿实现了|心愿已实现)\s*{_NUM}\s*"
                                r"(?P<value>非常满意|基本满意|不满意|满意)?\s*(?P<note>.*)$", re.S)),
    ("wish_not_done", re.compile(rf"^\s*(心愿未完成|心愿没完成|心愿未实现|心愿没实现)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("wish_withdraw", re.compile(rf"^\s*(撤回心愿|撤销心愿|取消心愿)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    # 「心愿：想请人帮忙换个灯泡」, 「微心愿 想请人…」: a colon, or a space before words (「心愿 3」 is its status)
    ("wish_post", re.compile(r"^\s*(?:微心愿|心愿|许愿)\s*(?:[:：]|\s+(?=[^\d\s#]))\s*(?P<wish>\S.*)$", re.S)),
    ("followup", re.compile(rf"^\s*回访\s*{_NUM}\s*(?P<solved>已解决|未解决|解决|没解决)\s*"
                            r"(?P<value>非常满意|基本满意|不满意|满意)?\s*(?P<note>.*)$", re.S)),
    ("followup_list", re.compile(r"^\s*(回访|回访列表|待回访)\s*$")),
    ("bind", re.compile(r"^\s*(绑定|邀请码)\s*(?P<code>[A-Za-z0-9]{4,16})\s*$")),
    ("points", re.compile(r"^\s*(我的积分|积分|查积分)\s*$")),
    ("leaderboard", re.compile(r"^\s*(排行榜|积分榜|排名)\s*$")),
    # rider teams and chosen names (bot/conversation/teams.py); 「我叫了物业」「我叫人来修」 are not names
    ("team_leaderboard", re.compile(r"^\s*(小队排行榜?|小队排名|小队积分榜|团队排行榜?|队伍排行榜?)\s*$")),
    ("my_team", re.compile(r"^\s*(我的小队|我的队伍|我的团队)\s*$")),
    ("leave_team", re.compile(r"^\s*(退出小队|退队|离开小队)\s*$")),
    ("join_team", re.compile(r"^\s*(加入小队|加入|入队)\s*[:：]?\s*(?![了过])(?P<team>[^\s，。,.!！?？]{2,20})\s*$")),
    ("choose_name", re.compile(r"^\s*(我叫|叫我|我的名字是|我的名字叫|改名为|改名叫|改名|昵称)\s*[:：]?\s*"
                               r"(?![了过着来去人])(?P<name>[^，。,.!！?？；;]{1,40}?)\s*$")),
    ("redeem", re.compile(r"^\s*兑换\s*(?P<item>\S+)\s*$")),
    ("joint_list", re.compile(r"^\s*(联席会议|联席议题|联席列表)\s*$")),
    ("joint", re.compile(rf"^\s*(联席|提交联席)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("joint_settle", re.compile(rf"^\s*(议定|联席议定)\s*{_NUM}\s*(?P<note>.*)$", re.S)),
    ("merge", re.compile(r"^\s*合并\s*#?\s*(?P<ticket>\d{1,9})\s*号?\s*(到|入|进|至|->|→)?\s*#?\s*(?P<into>\d{1,9})\s*号?\s*$")),
    ("human", re.compile(r"^\s*(转人工|人工|人工客服|人工服务|找人工|我要人工|找工作人员)\s*$")),
    ("help", re.compile(r"^\s*(帮助|help|\?|？|菜单|怎么用|使用说明)\s*$", re.I)),
    # a staff command typed without its ticket number: say how, rather than guess
    ("missing_number", re.compile(r"^\s*(?P<verb>接单|认领|办结|完成|处理中|开始处理|转交|转办|驳回|改派|派单|答复|入库|退回审核)\s*$")),
    ("missing_number", re.compile(rf"^\s*(?P<verb>{'|'.join(WITHDRAW_VERBS)})(?:吧|了|啦|哈|呗|掉)*\s*[。.!！~～]*\s*$")),
]


#: What a line must say for a model's guess of a personal command to stand in a group chat, where most lines are
#: talk among the people there: 「我的积分多少了」 asks for points, 「谁有打气筒借我用一下」 (read as 排行榜) does not.
COMMAND_WORDS = {"points": re.compile(r"积分"), "leaderboard": re.compile(r"排行|排名|榜"),
                 "my_tickets": re.compile(r"工单|报的|反映的|投诉的|待办"), "redeem": re.compile(r"兑换"),
                 "status": re.compile(r"进度|工单"), "help": re.compile(r"帮助|怎么用|菜单|使用说明")}


def says_its_command(intent: str, text: str) -> bool:
    """Whether the words name the command a model read them as (「我的积分多少了」 → points)."""
    words = COMMAND_WORDS.get(intent)
    return bool(words and words.search(text))


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
        return intent, args
    if (rating := match_rating(text)) is not None:
        return "rate", rating
    return None


# ---------------------------------------------------------------- ratings: 满意 / 不满意, with or without a ticket

#: What the resident may type, and the rating it stands for.
RATING_VALUES = {"非常满意": "满意", "基本满意": "基本满意", "不满意": "不满意", "满意": "满意",
                 "好评": "满意", "五星": "满意", "差评": "不满意",
                 # a softened 满意 is still not satisfied (「不太满意」「不是很满意」 must never close a ticket as 满意)
                 **{f"{soft}满意": "不满意" for soft in ("不太", "不是很", "不是太", "不怎么", "不大", "不够", "不算",
                                                        "并不", "没那么", "没有很", "没有那么", "没有太")}}
#: The longer words first, so 「不满意」 is never read as 「满意」.
RATING_WORD = re.compile("|".join(sorted(RATING_VALUES, key=len, reverse=True)))
_RATING_FIRST = re.compile(rf"^\s*(?:{'|'.join(sorted((w for w in RATING_VALUES if w.endswith('满意')), key=len, reverse=True))})")
#: What says a rating just given was a mistake (「打错了，应该是…」「我看错了，改成…」): it may stand before the rating.
CORRECTION_WORDS = re.compile(r"(?:我|刚才|刚刚|前面|上面)?(?:看|打|评|点|按|选|写|说|弄|回)错了?|改成|改为|改一下|更正为?|应该是|"
                              r"其实是|重新评价?|不对")
#: The other half of a two-part rating (「已解决 满意」, 「没解决 不满意」): was the problem solved?
SOLVED_VALUES = {"已解决": True, "已经解决": True, "解决了": True, "解决": True, "未解决": False, "没解决": False,
                 "没有解决": False, "还没解决": False, "没能解决": False, "未能解决": False}
SOLVED_WORD = re.compile("|".join(sorted(SOLVED_VALUES, key=len, reverse=True)))
_SOLVED_FIRST = re.compile(rf"^\s*(?:{SOLVED_WORD.pattern})")
#: What may stand before the solved word in a rating's head: the rating word, a ticket number, separators.
def corrects(text: str) -> bool:
    """「不对，是幸福里小区2栋」「打错了，应该是不满意」: the words correct something said a moment ago."""
    return bool(CORRECTION_WORDS.search(text))


#: 「第二个工单不满意」: a ticket named by its place in the list the bot showed last (我的工单).
ORDINAL = re.compile(r"第\s*([一二两三四五六七八九十]|\d{1,2})\s*(?:个|张|条|件|项)?\s*(?:工单|单子|单)?")
_ORDINALS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)} | {"两": 2}

_CORRECTION_FIRST = re.compile(rf"^(?:[\s，,。.、:：;；!！]|{CORRECTION_WORDS.pattern})+")
#: A comment that is only particles or degree words (「挺满意的」's 的, 「比较满意」's 比较) says nothing.
_NO_NOTE = re.compile(r"^(?:的|了|啊|呀|吧|哦|噢|哈|呢|啦|挺|很|还|比较|十分|特别|非常|蛮|算|其实|真的?|都)*$")
_HEAD_FILLER = re.compile(rf"{RATING_WORD.pattern}|{CORRECTION_WORDS.pattern}|{ORDINAL.pattern}|工单|#|\d{{1,9}}|号")
#: A number followed by one of these is a place or an amount (3栋, 1号楼, 3天), not a ticket.
_NOT_A_TICKET = r"(?!\d)(?!\s*号?\s*(?:栋|幢|楼|单元|院|门|室|层|户|期|区|线|路|米|天|小时|分钟|分|点|个|次|元|块|星|年|月|日|岁))"
#: How a resident names a ticket: 工单1, #1, 1号, 1号工单, or a bare number next to a leading rating word.
TICKET_REF = re.compile(
    rf"工单\s*#?\s*(\d{{1,9}}){_NOT_A_TICKET}"
    rf"|#\s*(\d{{1,9}}){_NOT_A_TICKET}"
    rf"|(?<!\d)(\d{{1,9}})\s*号{_NOT_A_TICKET}\s*(?:工单)?"
    rf"|^\s*(?:(?:{SOLVED_WORD.pattern})[\s，,]*)?(?:(?:{RATING_WORD.pattern})[\s，,]*)?(\d{{1,9}}){_NOT_A_TICKET}(?!\s*号)")
#: A rating that names its ticket ("1 不满意 灯还是不亮") is only read as one in a short message.
SHORT_RATING = 60
_SEPARATORS = " \t\r\n，,。.、:：;；!！~～"
_TO_WHOM = ("我对", "我给", "对", "给")


def rating_args(text: str) -> dict[str, Any] | None:
    """The rating in a message: value, solved, the ticket it names (if any) and the comment; None without a
    rating word or a solved word at its head.

    Either half may come alone: 「满意」 has no ``solved``, 「没解决」 no ``value``. The comment is what follows the
    rating and the ticket number (「1 不满意 灯还是不亮」), or else what comes before them (「灯还是不亮，1号不满意」),
    without the punctuation around it.
    """
    word = RATING_WORD.search(text)
    solved = _solved_part(text)
    if word is None and solved is None:
        return None
    args: dict[str, Any] = {}
    spans = []
    if word is not None:
        args["value"] = RATING_VALUES[word.group()]
        spans.append(word.span())
    if solved is not None:
        args["solved"] = solved[0]
        spans.append(solved[1])
    if ref := TICKET_REF.search(text):
        args["ticket"] = int(next(g for g in ref.groups() if g))
        spans.append(ref.span())
    elif nth := ORDINAL.search(text):
        args["ordinal"] = _ORDINALS.get(nth.group(1)) or int(nth.group(1))
        spans.append(nth.span())
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    before = CORRECTION_WORDS.sub("", text[:start]).strip(_SEPARATORS)
    note = text[end:].strip(_SEPARATORS) or _without_prefix(before, _TO_WHOM)
    if note and not _NO_NOTE.match(note):
        args["note"] = note
    return args


def match_rating(text: str) -> dict[str, Any] | None:
    """A rating typed as a command: it starts with the rating word or the solved word, or it is short and
    names a ticket."""
    head = _CORRECTION_FIRST.sub("", text)      # 「打错了，应该是不满意」 is a rating too
    head = ORDINAL.sub("", head, count=1) if ORDINAL.match(head) else head     # so is 「第二个工单不满意」
    if _RATING_FIRST.match(head) or _SOLVED_FIRST.match(head) or (len(text) <= SHORT_RATING
                                                                   and TICKET_REF.search(text)):
        return rating_args(text)
    return None


def _solved_part(text: str) -> tuple[bool, tuple[int, int]] | None:
    """「已解决」/「没解决」 at the head of a rating (only a rating word and a ticket number before it), followed by
    the end, punctuation, the rating word or a number; not 「解决了吗」 or a report's 「一直没解决」."""
    m = SOLVED_WORD.search(text)
    if m is None or _HEAD_FILLER.sub("", text[:m.start()]).strip(_SEPARATORS):
        return None
    rest = text[m.end():]
    end = m.end() + len(rest) - len(rest.lstrip("了的"))
    after = text[end:]
    if after and after[0] not in _SEPARATORS and not after[0].isdigit() and not RATING_WORD.match(after) \
            and not after.startswith(("#", "工单")):
        return None
    return SOLVED_VALUES[m.group()], (m.start(), end)


def _without_prefix(text: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if text.startswith(prefix):
            return text[len(prefix):].strip(_SEPARATORS)
    return text
