"""Fresh dialogues against a live `sandan serve`, the way the maintainers' held-out set runs them.

Starts its own server as an operator would (README, Deploying): `sandan secrets --output FILE`, the variables
from that file, `sandan db init`, `sandan serve`, with a fresh store in bench/results/dialogue_probe/. Then it
drives whole dialogues over HTTP (/api/messages, /api/groups/messages, /api/inbox) and judges each by what the
person meant, not by exact words: the rating landed on the ticket they meant, the cancelled report was not
filed, a place said alone did not leak, the group stayed quiet and private, an emergency reached the grid, the
dispatcher and the leader with advice and a number, staff commands worked though typed loosely.

The sentences are worded apart from tests/ on purpose. Prints one line per dialogue and a table, writes the
transcripts of the failures to bench/results/dialogue_probe.md.

    .venv/bin/python bench/dialogue_probe.py                      # start a server, run every dialogue
    .venv/bin/python bench/dialogue_probe.py -k rating            # only dialogues whose name has "rating"
    .venv/bin/python bench/dialogue_probe.py --url http://127.0.0.1:8800 --api-key KEY   # a running server
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from common import RESULTS, ROOT, machine

GROUP = "fengchao"
LEADER = "leader"


class Client:
    """The three endpoints, and what each person was pushed since the last look."""

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.seen: dict[str, int] = {}
        self.count = 0

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"X-Api-Key": self.api_key, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            return {"ok": False, "status": e.code, "reply": e.read().decode(errors="replace"), "ticket": None}

    def say(self, who: str, text: str = "", photos: int = 0) -> dict[str, Any]:
        self.count += 1
        body = {"sender": who, "text": text, "msg_id": f"probe-{who}-{self.count}",
                "photos": [f"https://img.example/probe-{self.count}-{i}.jpg" for i in range(photos)]}
        return self._call("POST", "/api/messages", body)

    def group(self, who: str, name: str, text: str = "", photos: int = 0) -> dict[str, Any]:
        self.count += 1
        body = {"group": GROUP, "sender": who, "name": name, "text": text, "msg_id": f"probe-g-{who}-{self.count}",
                "photos": [f"https://img.example/probe-{self.count}-{i}.jpg" for i in range(photos)]}
        return self._call("POST", "/api/groups/messages", body)

    def pushed(self, user: str) -> list[dict[str, Any]]:
        """What ``user`` (``api:x``, ``group:x``) was pushed since the last look."""
        q = urllib.parse.urlencode({"user": user, "after": self.seen.get(user, 0)})
        messages = self._call("GET", f"/api/inbox?{q}").get("messages", [])
        if messages:
            self.seen[user] = messages[-1]["id"]
        return messages

    def forget_pushes(self, *users: str) -> None:
        for user in users:
            self.pushed(user)


@dataclass
class Dialogue:
    """One conversation: the lines said, the replies got, and what went other than the person meant."""

    name: str
    kind: str
    client: Client
    run: str
    lines: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def person(self, name: str) -> str:
        return f"{self.run}-{name}"

    def say(self, who: str, text: str = "", photos: int = 0) -> dict[str, Any]:
        r = self.client.say(who, text, photos)
        self.lines.append(f"{who} → {'📷' * photos}{text}\n    ← {r.get('reply')!r} (ticket {r.get('ticket')})")
        return r

    def group(self, who: str, text: str = "", photos: int = 0, name: str = "") -> dict[str, Any]:
        r = self.client.group(who, name or who[-2:], text, photos)
        self.lines.append(f"[群] {who} → {'📷' * photos}{text}\n    ← {r.get('reply')!r} (ticket {r.get('ticket')}, "
                          f"private {r.get('private', '')[:60]!r})")
        return r

    def pushed(self, user: str) -> list[dict[str, Any]]:
        got = self.client.pushed(user if ":" in user else f"api:{user}")
        for m in got:
            self.lines.append(f"    ⇒ {user}: {m['body'][:120]!r}" + (f" photos {m['photos']}" if m.get("photos") else ""))
        return got

    def expect(self, ok: bool, meant: str) -> bool:
        if not ok:
            self.wrong.append(meant)
        return ok

    # ------------------------------------------------------------ what a reply or a ticket says

    def state(self, ticket: int) -> dict[str, str]:
        """The 进度 lines of a ticket, as the street's leader reads them (the leader sees every ticket)."""
        r = self.client.say(LEADER, f"进度 {ticket}")
        lines = (r.get("reply") or "").split("\n")
        out = {"text": lines[0].split("：", 1)[-1] if lines else ""}
        for line in lines[1:]:
            if "：" in line:
                k, v = line.split("：", 1)
                out.setdefault(k, v)
        return out

    def filed(self, r: dict[str, Any]) -> int | None:
        return r.get("ticket") if r.get("ticket") and "工单号" in (r.get("reply") or "") else None


def ack_ticket(r: dict[str, Any]) -> int | None:
    m = re.search(r"工单号 (\d+)", r.get("reply") or "")
    return int(m.group(1)) if m else None


def resolved(d: Dialogue, who: str, text: str, secretary: str, note: str = "已处理") -> int:
    """``who`` reports ``text``; the grid secretary closes it with ``note``. Returns the ticket."""
    r = d.say(who, text)
    ticket = ack_ticket(r)
    assert ticket, f"setup: {text!r} was not filed: {r.get('reply')!r}"
    d.say(secretary, f"办结 {ticket} {note}")
    return ticket


# ================================================================ the dialogues

DIALOGUES: list[tuple[str, str, Callable[[Dialogue], None]]] = []


def dialogue(kind: str) -> Callable[[Callable[[Dialogue], None]], Callable[[Dialogue], None]]:
    def add(fn: Callable[[Dialogue], None]) -> Callable[[Dialogue], None]:
        DIALOGUES.append((fn.__name__, kind, fn))
        return fn
    return add


# ---------------------------------------------------------------- ratings land on the ticket meant


@dialogue("rating")
def rating_after_status_rates_the_ticket_shown(d: Dialogue) -> None:
    me = d.person("wu")
    a = resolved(d, me, "书香苑6栋楼道灯一闪一闪的坏了", "sec-xianyuan-3", "换了灯管")
    b = resolved(d, me, "书香苑2栋垃圾桶盖子坏了", "sec-xianyuan-3", "换了新桶")
    d.say(me, f"进度 {a}")
    r = d.say(me, "挺满意的")
    d.expect(r.get("ticket") == a, f"「挺满意的」 after 进度 {a} rates {a}")
    d.expect(d.state(a).get("状态") == "已完结" and d.state(b).get("状态") == "已办结，待评价",
             f"{a} closed, {b} still waits")


@dialogue("rating")
def rating_names_its_ticket_with_hao(d: Dialogue) -> None:
    me = d.person("zheng")
    a = resolved(d, me, "东湖小区9栋健身器材坏了", "sec-pingdong-3", "已修")
    b = resolved(d, me, "东湖小区3栋下水道堵了", "sec-pingdong-3", "已疏通")
    r = d.say(me, f"{a}号工单不满意，器材还是晃")
    d.expect(r.get("ticket") == a and d.state(a).get("状态") == "整改中" and d.state(b).get("状态") == "已办结，待评价",
             f"「{a}号工单不满意」 rates {a} only")


@dialogue("rating")
def rating_second_ticket_by_order(d: Dialogue) -> None:
    me = d.person("feng")
    a = resolved(d, me, "锦绣华庭5栋电梯门关不上", "sec-furong-3", "已修")
    b = resolved(d, me, "锦绣华庭7栋楼道堆满杂物", "sec-furong-3", "已清")
    d.say(me, "我的工单")
    r = d.say(me, "第二个工单不满意")
    # 我的工单 lists the newest first, so 「第二个」 is the older one; a bare number would be ticket 2
    meant = {a}
    d.expect(r.get("ticket") in meant or "哪" in (r.get("reply") or ""),
             f"「第二个工单不满意」 rates the second listed ({a}) or asks which, never an unrelated ticket")


@dialogue("rating")
def rating_after_status_of_unfinished_ticket(d: Dialogue) -> None:
    me = d.person("wei")
    a = resolved(d, me, "电厂宿舍3栋楼道灯坏了", "sec-xianyuan-3", "已换")
    r0 = d.say(me, "电厂宿舍5栋门口垃圾堆了好几天")
    b = ack_ticket(r0)
    d.say(me, f"进度 {b}")
    r = d.say(me, "满意")
    d.expect(r.get("ticket") == a, f"「满意」 after 进度 of an unfinished ticket rates the one that waits ({a})")


@dialogue("rating")
def rating_late_complaint_names_the_ticket(d: Dialogue) -> None:
    me = d.person("jiang")
    a = resolved(d, me, "仙源小区8栋下水道反水", "sec-xianyuan-1", "已疏通")
    b = resolved(d, me, "仙源小区2栋路灯不亮", "sec-xianyuan-1", "已换灯")
    d.say(me, f"进度 {a}")
    d.say(me, "满意")
    r = d.say(me, f"工单{b}不满意，灯还是不亮")
    d.expect(r.get("ticket") == b and d.state(b).get("状态") == "整改中" and d.state(a).get("状态") == "已完结",
             f"after rating {a}, 「工单{b}不满意」 rates {b}")


def _rate_one(d: Dialogue, report: str, secretary: str, said: list[str], state: str) -> None:
    """One ticket reported and closed by the grid; the reporter says ``said`` in turn; the ticket ends ``state``."""
    me = d.person("r")
    a = resolved(d, me, report, secretary, "已处理")
    replies = [d.say(me, words) for words in said]
    d.expect(replies[-1].get("ticket") == a and d.state(a).get("状态") == state,
             f"「{' → '.join(said)}」 leaves ticket {a} {state}")


# ---------------------------------------------------------------- cancelling a half-told report


def _cancel(d: Dialogue, problem: str, cancel: str, then_place: str) -> None:
    me = d.person("c")
    r1 = d.say(me, problem)
    d.expect("哪个小区" in (r1.get("reply") or "") or "地点" in (r1.get("reply") or ""), f"「{problem}」 asks where")
    r2 = d.say(me, cancel)
    d.expect(not r2.get("ticket") and "不报了。" in (r2.get("reply") or ""), f"「{cancel}」 drops the half-told report and says so")
    r3 = d.say(me, then_place)
    d.expect(not d.filed(r3), f"the next place alone (「{then_place}」) files nothing")


def _cancel_photo(d: Dialogue, cancel: str, then_place: str) -> None:
    me = d.person("cp")
    d.say(me, "", photos=1)
    r = d.say(me, cancel)
    d.expect(not r.get("ticket") and "照片不报了。" in (r.get("reply") or ""), f"「{cancel}」 after a photo drops it, and says so")
    r3 = d.say(me, then_place)
    d.expect(not d.filed(r3), f"the photo dropped, the place alone (「{then_place}」) files nothing")


@dialogue("cancel")
def cancel_then_a_new_complete_report(d: Dialogue) -> None:
    me = d.person("cn")
    d.say(me, "路边摆摊的占道")
    d.say(me, "算了")
    r = d.say(me, "幸福里小区1栋电梯坏了")
    t = d.filed(r)
    d.expect(bool(t) and "摆摊" not in d.state(t).get("text", ""), "the dropped words are not in the next report")


# ---------------------------------------------------------------- a place said alone does not leak


def _place(d: Dialogue, said: list[str], place: str, foreign: str) -> None:
    """Places and words said in turn (📷: a photo alone); the last files a ticket at ``place`` (its start), nothing
    of ``foreign``."""
    me = d.person("p")
    replies = [d.say(me, "", photos=1) if words == "📷" else d.say(me, words) for words in said]
    t = d.filed(replies[-1])
    s = d.state(t) if t else {}
    d.expect(bool(t) and s.get("地点", "").startswith(place) and (not foreign or foreign not in s.get("text", "")),
             f"「{' → '.join(said)}」 files at {place}" + (f", nothing of {foreign}" if foreign else ""))


# ---------------------------------------------------------------- the group: quiet and private


def _quiet(d: Dialogue, text: str) -> None:
    who = d.person("g")
    r = d.group(who, text)
    d.expect(not r.get("ticket") and not r.get("reply"), f"「{text}」 in the group files nothing and says nothing")


@dialogue("group")
def group_report_gets_at_ack(d: Dialogue) -> None:
    who = d.person("gr")
    r = d.group(who, "阳光家园5栋门口的垃圾箱倒了，垃圾撒一地", name="老刘")
    d.expect(bool(d.filed(r)) and (r.get("reply") or "").startswith("@老刘"), "a report in the group is acknowledged with @sender")


@dialogue("group")
def group_points_goes_private(d: Dialogue) -> None:
    who = d.person("gp")
    r = d.group(who, "积分", name="小谢")
    d.expect(r.get("reply", "").startswith("@小谢") and "积分" not in r.get("reply", "") and bool(r.get("private")),
             "积分 in the group: a pointer with @, the answer 1:1")
    got = d.pushed(f"group:{who}")
    d.expect(any("积分" in m["body"] for m in got), "the points answer reaches the sender's inbox")


@dialogue("group")
def group_status_goes_private(d: Dialogue) -> None:
    who = d.person("gs")
    r = d.group(who, "滨湖花园9栋楼下的下水道堵了，污水冒出来", name="阿强")
    t = d.filed(r)
    r2 = d.group(who, f"进度{t}", name="阿强")
    d.expect(r2.get("reply", "").startswith("@阿强") and "地点" not in r2.get("reply", ""),
             "进度 in the group is answered 1:1 with a pointer")
    got = d.pushed(f"group:{who}")
    d.expect(any("地点" in m["body"] for m in got), "the 进度 answer reaches the sender 1:1")


@dialogue("group")
def group_my_tickets_spaced(d: Dialogue) -> None:
    who = d.person("gm")
    r = d.group(who, " 我的工单 ", name="小马")
    d.expect(r.get("reply", "").startswith("@小马") and not r.get("ticket"), "我的工单 in the group: pointer only")


@dialogue("group")
def group_photo_then_words(d: Dialogue) -> None:
    who = d.person("gph")
    d.group(who, "", photos=1, name="小林")
    d.group(d.person("other"), "收到收到", name="小吴")
    r = d.group(who, "东湖小区6栋门口电线掉下来了", name="小林")
    t = d.filed(r)
    d.expect(bool(t), "the words after a photo in the group file a report")
    got = d.pushed("sec-pingdong-3") if t else []
    d.expect(any(m.get("photos") for m in got if f"#{t}" in m["body"]), "the photo sent first goes with the report to the grid")


# ---------------------------------------------------------------- emergencies reach everyone


def _emergency(d: Dialogue, text: str, number: str, community: str, grid_sec: str, advice: str) -> None:
    for who in (grid_sec, f"dispatcher-{community}", LEADER):
        d.client.forget_pushes(f"api:{who}")
    me = d.person("e")
    r = d.say(me, text)
    reply = r.get("reply") or ""
    t = d.filed(r)
    d.expect(bool(t), "the emergency is filed")
    d.expect(number in reply, f"the reply names {number}")
    d.expect(bool(re.search(advice, reply)), f"the reply gives safety advice ({advice})")
    for who in (grid_sec, f"dispatcher-{community}", LEADER):
        got = d.pushed(who)
        d.expect(any(f"#{t}" in m["body"] for m in got), f"{who} hears of it at once")
    r2 = d.say(f"dispatcher-{community}", f"收到{t}")
    d.expect("确认" in (r2.get("reply") or ""), "the dispatcher confirms with 收到 N")
    d.expect(any(str(t) in m["body"] for m in d.pushed(me)), "the reporter hears someone is on it")


@dialogue("emergency")
def emergency_in_group(d: Dialogue) -> None:
    for who in ("sec-longxi-3", "dispatcher-longxi", LEADER):
        d.client.forget_pushes(f"api:{who}")
    who = d.person("ge")
    r = d.group(who, "金桂园小区3栋那边着火了！好多烟", name="小蒋")
    t = d.filed(r)
    d.expect(bool(t) and "119" in (r.get("reply") or ""), "a fire in the group is filed and names 119")
    for staff in ("sec-longxi-3", "dispatcher-longxi", LEADER):
        d.expect(any(f"#{t}" in m["body"] for m in d.pushed(staff)), f"{staff} hears of it at once")


def _one_command(d: Dialogue, report: str, who: str, command: str, words: str) -> None:
    """A fresh report; then ``who`` types ``command`` (``{t}``: its number, ``{wide}``: in full-width digits)
    or, with ``who`` empty, the reporter does; the reply holds ``words`` (one of them, split by |)."""
    me = d.person("k")
    t = ack_ticket(d.say(me, report))
    wide = str(t).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    said = command.format(t=t, wide=wide)
    r = d.say(who or me, said)
    wanted = words.format(t=t)
    d.expect(bool(re.search(wanted, r.get("reply") or "")), f"「{said}」 gets {wanted}")


# ---------------------------------------------------------------- the dispatcher and the grid in chat


@dialogue("desk")
def desk_question_answered_with_colon(d: Dialogue) -> None:
    me = d.person("q")
    d.say(me, "请问平东社区办公室几点下班")
    r = d.say("dispatcher-pingdong", "待办")
    m = re.search(r"#(\d+) 请问平东社区办公室几点下班", r.get("reply") or "")
    d.expect(bool(m), "待办 lists the question waiting")
    if m:
        t = int(m.group(1))
        r2 = d.say("dispatcher-pingdong", f"答复 {t}：工作日下午5点半下班")
        d.expect(r2.get("ticket") == t and "已答复" in (r2.get("reply") or ""), "「答复 N：…」 answers it")
        got = d.pushed(me)
        d.expect(any("5点半" in m["body"] and "：：" not in m["body"] for m in got),
                 "the resident gets the answer, without the colon typed after the number")


@dialogue("desk")
def desk_answer_with_fullwidth_digits(d: Dialogue) -> None:
    me = d.person("q2")
    r0 = d.say(me, "转人工")
    d.say("dispatcher-longxi", "待办")
    tickets = re.findall(r"#(\d+) 转人工", d.client.say("dispatcher-longxi", "待办").get("reply") or "")
    d.expect(bool(tickets), "转人工 is in the dispatcher's 待办")
    if tickets:
        t = tickets[-1]
        wide = t.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        r = d.say("dispatcher-longxi", f"答复{wide} 您好，有什么可以帮您")
        d.expect(r.get("ticket") == int(t), f"「答复{wide} …」 with full-width digits answers {t}")
    del r0


@dialogue("desk")
def desk_claim_without_space_and_fullwidth_status(d: Dialogue) -> None:
    me = d.person("s1")
    t = ack_ticket(d.say(me, "龙西小区20栋楼道灯坏了"))
    wide = str(t).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    r = d.say(me, f"进度 {wide}")
    d.expect(r.get("ticket") == t and "地点" in (r.get("reply") or ""), f"「进度 {wide}」 shows the ticket")
    r2 = d.say("sec-longxi-3", f"接单{t}")
    d.expect("已接单" in (r2.get("reply") or ""), f"「接单{t}」 claims it")
    r3 = d.say("sec-longxi-3", f"办结 {t}号 换了声控灯")
    d.expect("已办结" in (r3.get("reply") or ""), f"「办结 {t}号 …」 closes it")


@dialogue("desk")
def desk_claim_with_hash_and_colon_note(d: Dialogue) -> None:
    me = d.person("s2")
    t = ack_ticket(d.say(me, "翠湖小区4栋水管爆了在喷水"))
    r = d.say("sec-furong-2", f"接单 #{t}")
    d.expect("已接单" in (r.get("reply") or ""), "「接单 #N」 claims it")
    r2 = d.say("sec-furong-2", f"处理中 {t}：师傅已经在路上")
    d.expect(r2.get("reply") and "没看懂" not in r2.get("reply"), "「处理中 N：…」 is understood")
    got = d.pushed(me)
    d.expect(any("师傅已经在路上" in m["body"] and "：：" not in m["body"] for m in got),
             "the reporter hears the news without the stray colon")


@dialogue("desk")
def desk_back_to_review_without_space(d: Dialogue) -> None:
    me = d.person("s3")
    t = ack_ticket(d.say(me, "金桂园小区5栋有人在楼道里烧纸"))
    d.say("sec-longxi-3", f"接单 {t}")
    r = d.say("sec-longxi-3", f"退回审核{t} 现场没有这个情况")
    d.expect("退回社区审核" in (r.get("reply") or ""), "「退回审核N 理由」 sends it back")
    got = d.pushed("dispatcher-longxi")
    d.expect(any(f"#{t}" in m["body"] and "现场没有这个情况" in m["body"] for m in got), "the dispatcher hears why")
    r2 = d.say("dispatcher-longxi", "待办")
    d.expect(f"#{t}" in (r2.get("reply") or ""), "the ticket is back in the dispatcher's 待办")


@dialogue("desk")
def desk_assign_offers_own_community_only(d: Dialogue) -> None:
    me = d.person("s4")
    d.say(me, "转人工")
    tickets = re.findall(r"#(\d+) 转人工", d.client.say("dispatcher-furong", "待办").get("reply") or "")
    t = tickets[-1] if tickets else "0"
    r = d.say("dispatcher-furong", f"派单 {t} 第五网格")
    reply = r.get("reply") or ""
    d.expect("龙西" not in reply and "平东" not in reply and "仙源" not in reply,
             "派单 with a wrong grid offers only the dispatcher's own community's grids")


@dialogue("desk")
def desk_reject_reads_plainly(d: Dialogue) -> None:
    me = d.person("s5")
    r0 = d.say(me, "仙源小区那边好像有点问题")
    t = r0.get("ticket")
    if not t:
        t = ack_ticket(d.say(me, "仙源小区3栋有点情况"))
    d.say("dispatcher-xianyuan", f"驳回 {t} 说得不清楚，没法核实")
    got = d.pushed(me)
    d.expect(any("说得不清楚" in m["body"] and "暂不属于" not in m["body"] for m in got),
             "the reporter reads the reason in plain words")
    r = d.say(me, "我的工单")
    d.expect("置信度" not in (r.get("reply") or ""), "no confidences")


@dialogue("desk")
def desk_withdraw_reads_withdrawn(d: Dialogue) -> None:
    me = d.person("s6")
    t = ack_ticket(d.say(me, "森工大厦小区6栋垃圾桶坏了"))
    r = d.say(me, f"撤回{t} 物业已经换了")
    d.expect("撤回" in (r.get("reply") or ""), f"「撤回{t} …」 withdraws it")
    r2 = d.say(me, "我的工单")
    d.expect("已撤回" in (r2.get("reply") or "") and "未受理" not in (r2.get("reply") or ""), "我的工单 says 已撤回")
    r3 = d.say(me, "积分")
    d.expect("未受理" not in (r3.get("reply") or ""), "积分 does not say 未受理 for a withdrawn ticket")


@dialogue("desk")
def desk_photos_both_ways(d: Dialogue) -> None:
    me = d.person("ph")
    d.client.forget_pushes("api:sec-furong-1")
    d.say(me, "", photos=1)
    r = d.say(me, "森工大厦小区3栋楼下护栏被车撞歪了")
    t = d.filed(r)
    d.expect(bool(t), "the words after a photo file the report")
    got = d.pushed("sec-furong-1")
    d.expect(any(m.get("photos") for m in got if f"#{t}" in m["body"]), "the grid's push carries the reporter's photo")
    d.say("sec-furong-1", f"接单 {t}")
    d.say("sec-furong-1", "", photos=1)
    d.say("sec-furong-1", f"办结 {t} 护栏已扶正加固")
    got = d.pushed(me)
    d.expect(any(m.get("photos") for m in got if str(t) in m["body"]), "the reporter gets the result photo")


@dialogue("desk")
def desk_resident_claim_is_told_how_to_volunteer(d: Dialogue) -> None:
    me = d.person("v")
    r = d.say(me, "认领 3")
    d.expect("志愿" in (r.get("reply") or "") and "工作人员用的" not in (r.get("reply") or ""),
             "a resident's 认领 says how to become a volunteer")
    r2 = d.say(me, "接单 3")
    d.expect("工作人员用的" in (r2.get("reply") or ""), "a resident's 接单 keeps the staff-only reply")


# ---------------------------------------------------------------- more of each kind, worded another way


@dialogue("rating")
def rating_other_persons_ticket_is_refused(d: Dialogue) -> None:
    owner, other = d.person("r13a"), d.person("r13b")
    a = resolved(d, owner, "平东小区12栋路灯不亮", "sec-pingdong-1", "已修")
    r = d.say(other, f"不满意 {a}")
    d.expect(d.state(a).get("状态") == "已办结，待评价", "someone else cannot rate a ticket that is not theirs")
    del r


@dialogue("rating")
def rating_ticket_number_with_hash_after(d: Dialogue) -> None:
    me = d.person("r14")
    a = resolved(d, me, "仙源小区5栋健身器材断了", "sec-xianyuan-1", "已修")
    b = resolved(d, me, "仙源小区6栋垃圾没人收", "sec-xianyuan-1", "已清")
    r = d.say(me, f"不满意 #{a} 还是断的")
    d.expect(r.get("ticket") == a and d.state(b).get("状态") == "已办结，待评价", f"「不满意 #{a}」 rates {a} only")


@dialogue("cancel")
def cancel_withdraw_without_number_while_telling(d: Dialogue) -> None:
    me = d.person("c20")
    d.say(me, "楼道里有人堆了好多纸箱")
    r = d.say(me, "撤回")
    d.expect(not r.get("ticket") and "编号" not in (r.get("reply") or ""), "「撤回」 while telling drops what is told")
    r3 = d.say(me, "锦绣华庭6栋")
    d.expect(not d.filed(r3), "the place alone then files nothing")


@dialogue("cancel")
def cancel_then_question_answered(d: Dialogue) -> None:
    me = d.person("c22")
    d.say(me, "路灯坏了")
    d.say(me, "取消")
    r = d.say(me, "老年人乘车卡怎么办理")
    d.expect(not r.get("ticket") and "路灯" not in (r.get("reply") or ""), "a question after a cancel is just answered")


@dialogue("group")
def group_at_bot_points(d: Dialogue) -> None:
    who = d.person("g10")
    r = d.group(who, "@三单 我的积分", name="阿杰")
    d.expect(r.get("reply", "").startswith("@阿杰") and "分" not in r.get("reply", "").replace("@阿杰", ""),
             "「@三单 我的积分」 is answered 1:1 with a pointer")
    d.expect(bool(r.get("private")) and "积分" in r.get("private", ""), "the points answer goes 1:1")


@dialogue("group")
def group_help_goes_private(d: Dialogue) -> None:
    who = d.person("g12")
    r = d.group(who, "帮助", name="小周")
    d.expect(r.get("reply", "").startswith("@小周") and len(r.get("reply", "")) < 30, "帮助 in the group: a short pointer only")


@dialogue("group")
def group_redeem_goes_private(d: Dialogue) -> None:
    who = d.person("g13")
    r = d.group(who, "兑换 雨衣", name="小郑")
    d.expect(r.get("reply", "").startswith("@小郑") and "积分" not in r.get("reply", ""), "兑换 in the group: the answer goes 1:1")


@dialogue("group")
def group_photo_then_chatter_files_nothing(d: Dialogue) -> None:
    who = d.person("g14")
    r1 = d.group(who, "", photos=1, name="小孙")
    r2 = d.group(who, "今天这单好远啊", name="小孙")
    d.expect(not r1.get("ticket") and not r2.get("ticket") and not r1.get("reply") and not r2.get("reply"),
             "a photo then chatter files nothing and says nothing")


@dialogue("emergency")
def emergency_without_place_then_place(d: Dialogue) -> None:
    for who in ("sec-furong-2", "dispatcher-furong", LEADER):
        d.client.forget_pushes(f"api:{who}")
    me = d.person("e20")
    r = d.say(me, "楼道里着火了！")
    d.expect("119" in (r.get("reply") or ""), "a fire without a place names 119 at once")
    r2 = d.say(me, "翠湖小区3栋")
    t = d.filed(r2)
    d.expect(bool(t), "the place files it")
    for who in ("sec-furong-2", "dispatcher-furong", LEADER):
        d.expect(any(f"#{t}" in m["body"] for m in d.pushed(who)), f"{who} hears of it at once")


@dialogue("desk")
def desk_resolve_with_comma_note(d: Dialogue) -> None:
    me = d.person("s21")
    t = ack_ticket(d.say(me, "仙源小区10栋垃圾桶坏了"))
    d.say("sec-xianyuan-1", f"接单 {t}")
    r = d.say("sec-xianyuan-1", f"办结{t}，已换新桶")
    d.expect("已办结" in (r.get("reply") or ""), "「办结N，说明」 closes it")
    got = d.pushed(me)
    d.expect(any("已换新桶" in m["body"] and "：，" not in m["body"] for m in got), "the reporter reads the note cleanly")


@dialogue("desk")
def desk_assign_first_grid_is_own_community(d: Dialogue) -> None:
    me = d.person("s22")
    d.say(me, "转人工")
    tickets = re.findall(r"#(\d+) 转人工", d.client.say("dispatcher-furong", "待办").get("reply") or "")
    t = tickets[-1] if tickets else "0"
    d.say("dispatcher-furong", f"派单 {t} 第一网格")
    d.expect(d.state(int(t)).get("办理", "").startswith("芙蓉社区第一网格"),
             "「第一网格」 from 芙蓉's dispatcher is 芙蓉's first grid, never another community's")


@dialogue("desk")
def desk_grid_cannot_answer_question(d: Dialogue) -> None:
    me = d.person("s24")
    d.say(me, "转人工")
    tickets = re.findall(r"#(\d+) 转人工", d.client.say("dispatcher-xianyuan", "待办").get("reply") or "")
    t = tickets[-1] if tickets else "0"
    r = d.say("sec-xianyuan-1", f"答复 {t} 好的")
    d.expect("调度员" in (r.get("reply") or "") and not d.pushed(me), "a grid secretary cannot 答复; nothing reaches the resident")


@dialogue("desk")
def desk_reject_without_space(d: Dialogue) -> None:
    me = d.person("s25")
    r0 = d.say(me, "转人工")
    del r0
    tickets = re.findall(r"#(\d+) 转人工", d.client.say("dispatcher-pingdong", "待办").get("reply") or "")
    t = tickets[-1] if tickets else "0"
    r = d.say("dispatcher-pingdong", f"驳回{t}：重复反映")
    d.expect("已驳回" in (r.get("reply") or ""), "「驳回N：理由」 rejects it")
    got = d.pushed(me)
    d.expect(any("重复反映" in m["body"] and "：：" not in m["body"] for m in got), "the reporter reads the plain reason")


@dialogue("desk")
def desk_volunteer_words_for_rider(d: Dialogue) -> None:
    me = d.person("v2")
    r = d.say(me, "认领12")
    d.expect("志愿" in (r.get("reply") or ""), "a rider's 「认领12」 says how to become a volunteer")



# ---------------------------------------------------------------- round two: the same kinds, other turns


@dialogue("rating")
def rating_in_the_group_goes_to_the_right_ticket_privately(d: Dialogue) -> None:
    who = d.person("gr2")
    r0 = d.group(who, "锦绣华庭8栋楼下的垃圾箱坏了，盖子掉了", name="小韩")
    t = d.filed(r0)
    d.expect(bool(t), "the group report is filed")
    if t:
        d.say("sec-furong-3", f"办结 {t} 换了新的")
        r = d.group(who, "满意", name="小韩")
        d.expect(r.get("reply", "").startswith("@小韩") and "满意" not in r.get("reply", "").replace("@小韩", "")
                 and d.state(t).get("状态") == "已完结", "满意 in the group rates the sender's ticket; the thanks go 1:1")


@dialogue("rating")
def rating_good_review_word(d: Dialogue) -> None:
    me = d.person("r21")
    a = resolved(d, me, "森工大厦小区4栋楼道灯坏了", "sec-furong-1", "已换")
    r = d.say(me, "给个好评")
    d.expect(r.get("ticket") == a and d.state(a).get("状态") == "已完结", "「给个好评」 rates it 满意")


@dialogue("rating")
def rating_the_other_one_too(d: Dialogue) -> None:
    me = d.person("r22")
    a = resolved(d, me, "翠湖小区7栋楼道灯坏了", "sec-furong-2", "已换")
    b = resolved(d, me, "翠湖小区9栋垃圾桶坏了", "sec-furong-2", "已换")
    d.say(me, "不满意")
    r = d.say(me, f"{a}号也不满意")
    d.expect(d.state(a).get("状态") == "整改中" and d.state(b).get("状态") == "整改中", "both are reopened")
    del r


@dialogue("cancel")
def cancel_with_nothing_waiting(d: Dialogue) -> None:
    me = d.person("c31")
    r = d.say(me, "算了")
    d.expect(not r.get("ticket") and "没有" in (r.get("reply") or ""), "a cancel with nothing waiting says nothing waits")


@dialogue("group")
def group_at_bot_report(d: Dialogue) -> None:
    who = d.person("g30")
    r = d.group(who, "@三单 东湖小区5栋楼道灯坏了", name="小冯")
    t = d.filed(r)
    d.expect(bool(t) and "@三单" not in d.state(t).get("text", ""), "a report @ the bot files, without the @")


@dialogue("group")
def group_withdraw_goes_private(d: Dialogue) -> None:
    who = d.person("g31")
    t = d.filed(d.group(who, "书香苑5栋门口垃圾堆成山了没人收", name="小蔡"))
    r = d.group(who, f"撤回 {t} 已经清走了", name="小蔡")
    d.expect(bool(t) and r.get("reply", "").startswith("@小蔡") and "撤回" not in r.get("reply", ""),
             "撤回 in the group: done, the answer 1:1")
    d.expect(bool(t) and "撤回" in d.state(t).get("状态", ""), "the ticket reads 已撤回")


@dialogue("group")
def group_photo_of_one_rider_not_on_anothers_report(d: Dialogue) -> None:
    a, b = d.person("g32a"), d.person("g32b")
    d.group(a, "", photos=1, name="小甲")
    d.client.forget_pushes("api:sec-pingdong-1")
    t = d.filed(d.group(b, "平东小区7栋下水道堵了冒污水", name="小乙"))
    got = d.pushed("sec-pingdong-1")
    d.expect(bool(t) and not any(m.get("photos") for m in got if f"#{t}" in m["body"]),
             "one rider's photo never joins another rider's report")


@dialogue("emergency")
def emergency_gas_in_group(d: Dialogue) -> None:
    for who in ("sec-xianyuan-3", "dispatcher-xianyuan", LEADER):
        d.client.forget_pushes(f"api:{who}")
    who = d.person("ge2")
    r = d.group(who, "电厂宿舍2栋一楼天然气漏了，味道很大", name="小邓")
    t = d.filed(r)
    d.expect(bool(t) and "119" in r.get("reply", "") and "通风" in r.get("reply", ""), "the group hears 119 and 通风")
    for staff in ("sec-xianyuan-3", "dispatcher-xianyuan", LEADER):
        d.expect(any(f"#{t}" in m["body"] for m in d.pushed(staff)), f"{staff} hears of it at once")


@dialogue("emergency")
def emergency_in_the_past_is_none(d: Dialogue) -> None:
    me = d.person("e31")
    r = d.say(me, "去年东湖小区着火的事后来怎么处理的")
    d.expect("119" not in (r.get("reply") or ""), "a fire last year is no emergency now")


@dialogue("desk")
def desk_todo_shows_both_queues(d: Dialogue) -> None:
    me = d.person("s30")
    t = ack_ticket(d.say(me, "仙源小区12栋楼道灯坏了"))
    d.say("sec-xianyuan-1", f"接单 {t}")
    d.say("sec-xianyuan-1", f"退回审核 {t} 不是我们网格的")      # now in the review queue
    d.say(d.person("s30b"), "转人工")
    r = d.say("dispatcher-xianyuan", "待办")
    d.expect("待审核" in (r.get("reply") or "") and "转人工" in (r.get("reply") or ""),
             "the dispatcher's 待办 shows the review queue and the 转人工 questions")


@dialogue("desk")
def desk_answer_to_a_report_is_refused(d: Dialogue) -> None:
    me = d.person("s31")
    t = ack_ticket(d.say(me, "仙源小区11栋楼道灯坏了"))
    r = d.say("dispatcher-xianyuan", f"答复 {t} 已经修了")
    d.expect("答复" in (r.get("reply") or "") and not any("社区答复" in m["body"] for m in d.pushed(me)),
             "答复 to a report (not a question) is refused; the reporter gets no 'answer'")


@dialogue("desk")
def desk_resolve_with_photo_in_the_same_message(d: Dialogue) -> None:
    me = d.person("s32")
    t = ack_ticket(d.say(me, "芙蓉苑小区6栋楼道灯坏了"))
    d.say("sec-furong-2", f"接单 {t}")
    d.client.forget_pushes(f"api:{me}")
    d.say("sec-furong-2", f"办结 {t} 换了新灯", photos=1)
    got = d.pushed(me)
    d.expect(any(m.get("photos") for m in got), "the reporter gets the result photo sent with 办结")


@dialogue("desk")
def desk_withdraw_after_claim_is_refused_plainly(d: Dialogue) -> None:
    me = d.person("s33")
    t = ack_ticket(d.say(me, "龙西小区8栋垃圾桶坏了"))
    d.say("sec-longxi-2", f"接单 {t}")
    d.say("sec-longxi-2", f"处理中 {t} 师傅在换")
    r = d.say(me, f"撤回 {t}")
    d.expect("撤回" not in d.state(t).get("状态", "") and "处理中" in d.state(t).get("状态", "")
             and bool(r.get("reply")), "a ticket in hand is not withdrawn, and the reply says why")


@dialogue("desk")
def desk_reject_shows_reason_in_status(d: Dialogue) -> None:
    me = d.person("s34")
    d.say(me, "转人工")
    tickets = re.findall(r"#(\d+) 转人工", d.client.say("dispatcher-longxi", "待办").get("reply") or "")
    t = int(tickets[-1]) if tickets else 0
    d.say("dispatcher-longxi", f"驳回 {t} 已电话联系过了")
    r = d.say(me, f"进度 {t}")
    reply = r.get("reply") or ""
    d.expect("已电话联系过了" in reply and "置信度" not in reply and "暂不属于" not in reply,
             "进度 of a rejected ticket shows the reason in plain words")


@dialogue("desk")
def desk_transfer_to_department_reaches_it(d: Dialogue) -> None:
    me = d.person("s35")
    t = ack_ticket(d.say(me, "龙西小区3栋楼道里堆满了杂物"))
    st = d.state(t).get("办理", "")
    if "城管" in st:
        d.expect(True, "")
        return
    d.say("sec-longxi-2", f"接单 {t}")
    r = d.say("sec-longxi-2", f"转交 {t} 城管")
    d.expect("区城管局" in (r.get("reply") or ""), "转交 N 城管 names 区城管局")
    d.expect(any(f"#{t}" in m["body"] for m in d.pushed("dept-chengguan")), "the department hears of it")



# ---------------------------------------------------------------- the simple dialogues, one row each

#: (a report, the grid secretary who closes it, what the reporter says then, the state the ticket ends in)
RATINGS = [
    ("阳光家园4栋门禁坏了刷不开", "sec-pingdong-2", ["不太满意"], "整改中"),
    ("幸福里小区3栋水管漏水", "sec-pingdong-2", ["满意", "打错了，应该是不满意，还在滴水"], "整改中"),
    ("纺织厂宿舍2栋楼下垃圾没人清", "sec-pingdong-3", ["不满意", "刚才评错了，其实挺满意的"], "已完结"),
    ("滨湖花园11栋单元门关不上", "sec-xianyuan-2", ["解决了，很满意！"], "已完结"),
    ("金桂园小区8栋门口垃圾桶坏了", "sec-longxi-3", ["非常不满意，根本没换"], "整改中"),
    ("龙西小区30栋楼道灯不亮", "sec-longxi-3", ["不是很满意，修得太慢了"], "整改中"),
    ("广场花苑小区9栋下水道堵了", "sec-longxi-1", ["没解决", "我看错了，改成已解决 满意"], "已完结"),
]
#: (what is said in turn, where the last line's ticket must be, what of the earlier lines it must not hold)
PLACES = [
    (["翠湖小区5栋", "锦绣华庭3栋楼道灯坏了"], "锦绣华庭3栋", "翠湖"),
    (["我住仙源小区", "湖滨路上的井盖没了"], "湖滨路", "仙源"),
    (["书香苑", "4栋楼道里全是杂物"], "书香苑4栋", ""),
    (["阳光家园小区7栋", "楼顶水箱漏水"], "阳光家园", ""),
    (["东湖小区", "你好", "平东小区9栋门口有个大坑"], "平东小区", "东湖"),
    (["我家在龙西小区12栋", "广场花苑3栋的路灯坏了"], "广场花苑小区3栋", "龙西"),
    (["滨湖花园8栋", "请问社区几点上班", "楼下的垃圾好几天没人收了"], "滨湖花园", ""),
    (["东湖小区", "不对，是幸福里小区2栋", "电梯坏了好几天了"], "幸福里小区2栋", "东湖"),
    (["我在锦绣华庭", "门口的垃圾桶倒了"], "锦绣华庭", ""),
    (["电厂宿舍6栋", "📷", "楼道里电线裸露了"], "电厂宿舍6栋", ""),
]
#: (a report, who types the command ("": the reporter), the command, what the reply holds)
COMMANDS = [
    ("森工大厦小区8栋楼道灯坏了", "sec-furong-1", "待办", "#{t} "),
    ("幸福里小区8栋楼道灯不亮", "", "查一下 {t} 号工单进度", "地点"),
    ("翠湖小区门口路灯不亮", "sec-furong-2", "转交 {t}", "哪个部门"),
    ("仙源小区9栋楼道灯坏了", "sec-xianyuan-1", "接单：{t}", "已接单"),
    ("锦绣华庭2栋楼道灯坏了", "sec-furong-3", "接单 {wide}", "已接单"),
    ("平东小区6栋垃圾桶坏了", "sec-pingdong-1", "  接单  #{t}  ", "已接单"),
    ("书香苑3栋楼道灯坏了", "", "进度：{t}", "地点"),
    ("滨湖花园5栋垃圾桶坏了", "", "工单{t}进度怎么样了", "地点|状态"),
    ("东湖小区2栋楼道灯坏了", "sec-pingdong-3", "进度#{t}", "地点"),
]
#: (a problem said without a place, the words that drop it, a place said next)
CANCELS = [
    ("楼下路灯不亮了", "不要了", "平东小区5栋"),
    ("有人在楼道里充电", "撤了吧", "阳光家园2栋"),
    ("单元门坏了关不上", "没事了，已经好了", "东湖小区3栋"),
    ("垃圾桶满了没人收", "算了算了", "翠湖小区6栋"),
    ("下水道堵了", "不用了，谢谢", "金桂园小区2栋"),
    ("门口的井盖松了", "我不报了", "滨湖花园3栋"),
    ("小区门口好多小广告", "那就不用了", "仙源小区7栋"),
    ("楼顶有人养鸽子好臭", "算了，不用管了", "书香苑7栋"),
    ("健身器材坏了", "取消吧，谢谢", "纺织厂宿舍3栋"),
    ("门禁卡刷不开", "先不报了", "森工大厦小区9栋"),
]
#: (what is said after a photo sent alone, a place said next)
PHOTO_CANCELS = [("发错了，不用管", "森工大厦小区2栋"), ("取消", "平东小区4栋")]
#: group lines for the riders, never for the bot
QUIET_GROUP_LINES = [
    "东湖小区的路灯亮了，网格员效率真高",
    "谁有打气筒借我用一下，车胎没气了",
    "锦绣华庭北门晚上几点关？",
    "今天冻死了兄弟们，多穿点",
    "幸福里那个井盖昨天补好了，给社区点个赞",
    "有没有人知道森工大厦小区快递柜在哪",
    "兄弟们注意，翠湖小区门口在修路，绕一下走",
    "感谢平东社区，东湖小区的下水道终于通了",
    "谁在森工大厦附近，帮我取个餐，谢了",
]
#: (the report, the number to call, the community, its grid's secretary, words of the safety advice)
EMERGENCIES = [
    ("幸福里小区3栋楼道里一股很冲的煤气味", "119", "pingdong", "sec-pingdong-2", "通风|明火|电器"),
    ("东湖小区7栋有户人家窗户冒黑烟了", "119", "pingdong", "sec-pingdong-3", "湿毛巾|电梯|离开"),
    ("锦绣华庭门口一个老大爷晕倒了，叫不醒", "120", "furong", "sec-furong-3", "搬动|救护车"),
    ("滨湖花园2栋电梯卡住了，里面有个小孩出不来", "119", "xianyuan", "sec-xianyuan-2", "冷静|警铃|扒门"),
    ("快来人，平东小区3栋楼下有人拿着刀在打架", "110", "pingdong", "sec-pingdong-1", "远离|安全|躲"),
    ("纺织厂宿舍4栋有个老人从楼梯上摔下来了，头上都是血", "120", "pingdong", "sec-pingdong-3", "搬动|救护车"),
]
for _row in RATINGS:
    DIALOGUES.append((f"rating_{_row[2][-1][:12]}", "rating", lambda d, row=_row: _rate_one(d, *row)))
for _row in PLACES:
    DIALOGUES.append((f"place_{'_'.join(_row[0])[:16]}", "place", lambda d, row=_row: _place(d, *row)))
for _row in COMMANDS:
    DIALOGUES.append((f"desk_{_row[2].strip()[:10]}", "desk", lambda d, row=_row: _one_command(d, *row)))
for _row in CANCELS:
    DIALOGUES.append((f"cancel_with_{_row[1]}", "cancel", lambda d, row=_row: _cancel(d, *row)))
for _row in PHOTO_CANCELS:
    DIALOGUES.append((f"cancel_photo_with_{_row[0]}", "cancel", lambda d, row=_row: _cancel_photo(d, *row)))
for _line in QUIET_GROUP_LINES:
    DIALOGUES.append((f"group_quiet_{_line[:12]}", "group", lambda d, line=_line: _quiet(d, line)))
for _row in EMERGENCIES:
    DIALOGUES.append((f"emergency_{_row[0][:12]}", "emergency", lambda d, row=_row: _emergency(d, *row)))


# ================================================================ running it


def start_server(workdir: Path, port: int) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """Start `sandan serve` as the README's Deploying section says: fresh secrets, a store of its own."""
    sandan = str(ROOT / ".venv" / "bin" / "sandan")
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    secrets_file = workdir / "secrets.env"
    subprocess.run([sandan, "secrets", "--output", str(secrets_file)], check=True, cwd=ROOT, capture_output=True)
    env = dict(os.environ)
    for line in secrets_file.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip().strip("'\"")
    # the AppSecret is pasted from the WeChat console (README, Deploying); this server never calls WeChat
    env["SANDAN_WECHAT_APP_SECRET"] = env.get("SANDAN_WECHAT_APP_SECRET") or secrets.token_hex(16)
    env["SANDAN_STORE_URL"] = f"sqlite:///{workdir / 'sandan.db'}"
    subprocess.run([sandan, "db", "init"], check=True, cwd=ROOT, env=env, capture_output=True)
    log = open(workdir / "serve.log", "wb")
    proc = subprocess.Popen([sandan, "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return proc, url, env
        except (urllib.error.URLError, ConnectionError, OSError):
            if proc.poll() is not None:
                raise SystemExit(f"sandan serve exited: see {workdir / 'serve.log'}")
            time.sleep(0.5)
    raise SystemExit("sandan serve did not answer /health within 2 minutes")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server (default: start one)")
    ap.add_argument("--api-key", help="its SANDAN_API_KEY (with --url)")
    ap.add_argument("-k", default="", help="only dialogues whose name or kind contains this")
    ap.add_argument("--all", action="store_true", help="write every transcript, not only the failures'")
    args = ap.parse_args()
    proc = None
    if args.url:
        url, key = args.url, args.api_key or os.environ.get("SANDAN_API_KEY", "")
    else:
        proc, url, env = start_server(RESULTS / "dialogue_probe", free_port())
        key = env["SANDAN_API_KEY"]
    run = secrets.token_hex(2)
    client = Client(url, key)
    done: list[Dialogue] = []
    try:
        for name, kind, fn in DIALOGUES:
            if args.k and args.k not in name and args.k not in kind:
                continue
            d = Dialogue(name, kind, client, f"{run}{len(done)}")
            try:
                fn(d)
            except AssertionError as e:
                d.wrong.append(f"(setup failed) {e}")
            done.append(d)
            print(f"{'ok  ' if not d.wrong else 'FAIL'} {kind:9} {name}" + "".join(f"\n       ✗ {w}" for w in d.wrong))
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    kinds = sorted({d.kind for d in done})
    table = ["| kind | dialogues | did what the person meant | did something else |", "|---|---|---|---|"]
    for kind in kinds:
        of = [d for d in done if d.kind == kind]
        bad = sum(1 for d in of if d.wrong)
        table.append(f"| {kind} | {len(of)} | {len(of) - bad} | {bad} |")
    bad = sum(1 for d in done if d.wrong)
    table.append(f"| all | {len(done)} | {len(done) - bad} | {bad} |")
    print("\n" + "\n".join(table) + f"\n\nMachine: {machine()}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = ["# Dialogue probe", "", *table, "", "## What went other than meant" + (" (and every other transcript)" if args.all else ""), ""]
    for d in done:
        if d.wrong or args.all:
            report += [f"### {d.name} ({d.kind})", "", *[f"- ✗ {w}" for w in d.wrong], "", "```", *d.lines, "```", ""]
    (RESULTS / "dialogue_probe.md").write_text("\n".join(report), encoding="utf-8")
    print(f"transcripts of the failures: {RESULTS / 'dialogue_probe.md'}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
