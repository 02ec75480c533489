"""延期申请 through the real app: the handler asks, the dispatcher decides, deadline, reminders, 按时办结 and the
reporter follow. Time is passed in with freeze_time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from freezegun import freeze_time

import wording
from dispatch import deadlines, digests, stats
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import ticket_number

TZ = ZoneInfo("Asia/Shanghai")
LITTER = "广场花苑小区3栋的垃圾桶坏了"          # 环境卫生, 24 hours, grid longxi-1


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_a_granted_extension_moves_the_deadline_and_tells_everyone(chat, db, services):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", LITTER))
        assert chat.say("sec-longxi-1", f"接单 {n}").startswith(f"已接单 #{n}")
    chat.pushed("r1"), chat.pushed("dispatcher-longxi")
    with freeze_time(local(2026, 11, 23, 10, 0)):
        assert chat.say("sec-longxi-1", f"延期 {n} 2天 新垃圾桶要等厂家送货") == (
            f"已提交工单 #{n} 延期 2天的申请，等社区调度员审批，结果会告诉您。审批前请按原期限办理。")
        assert chat.say("sec-longxi-1", f"延期 {n} 1天 再等等") == f"工单 #{n} 已有一份延期申请在等社区审批，请等审批结果。"
    week = digests.community_week(db, services.config, "longxi", local(2026, 11, 23, 10, 30))
    assert wording.weekly_summary(week).splitlines()[-1] == "待审批延期申请 1 件，回复「同意延期 编号」或在工作台处理。"
    assert chat.pushed("dispatcher-longxi") == [
        f"【延期申请】工单 #{n}（广场花苑小区3栋）龙西一网格王书记申请延期 2天：新垃圾桶要等厂家送货\n"
        "原期限 11月24日 09:00，同意后延至 11月26日 09:00。\n"
        f"回复「同意延期 {n}」或「不同意延期 {n} 理由」，也可在工作台处理。"]
    assert chat.pushed("r1") == []                                   # the request itself is staff business
    with freeze_time(local(2026, 11, 23, 11, 0)):
        assert chat.say("sec-longxi-1", f"同意延期 {n}") == "只有社区调度员可以审批延期申请。"
        assert chat.say("dispatcher-longxi", f"同意延期 {n}") == (
            f"已同意工单 #{n} 延期，新期限 11月26日 09:00，已告知办理人和反映人。")
        assert chat.say("dispatcher-longxi", f"同意延期 {n}") == f"工单 #{n} 没有待审批的延期申请。"
    assert chat.pushed("sec-longxi-1")[-1] == f"【延期已同意】工单 #{n} 新的办结期限是 11月26日 09:00。"
    assert chat.pushed("r1") == [
        f"您反映的问题（工单 {n}）办理需要多一些时间，预计 11月26日 09:00 前办结，请您谅解。"]
    with freeze_time(local(2026, 11, 23, 12, 0)):
        assert "期限：11月26日 09:00" in chat.say("r1", f"进度 {n}")
    # the old deadline passes without a 督办; the reminders count the span from the decision to the new deadline
    assert deadlines.scan(db, services.config, local(2026, 11, 24, 10, 0)) == {"reminded": 0, "escalated": 0}
    assert deadlines.scan(db, services.config, local(2026, 11, 25, 10, 0)) == {"reminded": 1, "escalated": 0}
    assert get_ticket(db, n)["state"] == "claimed"
    with freeze_time(local(2026, 11, 25, 16, 0)):
        assert chat.say("sec-longxi-1", f"办结 {n} 已换新桶") == f"工单 #{n} 已办结，已通知反映人评价。辛苦了！"
    row = stats.kpis(db, services.config, local(2026, 11, 23, 0, 0), local(2026, 11, 24, 0, 0),
                     local(2026, 11, 25, 17, 0))
    assert (row["done"], row["on_time"]) == (1, 1)                # on time against the extended deadline


def test_a_refused_extension_keeps_the_deadline(chat, db, services):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", LITTER))
    chat.pushed("r1")
    with freeze_time(local(2026, 11, 23, 10, 0)):
        assert chat.say("r1", f"延期 {n} 2天 没空") == (
            "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。")
        assert chat.say("sec-longxi-2", f"延期 {n} 2天 没空") == "抱歉，这个操作只有负责该工单的网格或部门可以办理。"
        assert chat.say("sec-longxi-1", f"延期 {n} 等一等") == (
            "延期请写明时长和理由，例如「延期 12 2天 等配件到货」（天、工作日或小时）。")
        chat.say("sec-longxi-1", f"延期 {n} 3 个工作日 人手不够")
        assert chat.say("dispatcher-longxi", f"不同意延期 {n} 垃圾桶问题当天就能解决") == (
            f"已不同意工单 #{n} 延期，期限不变，已告知办理人。")
    assert chat.pushed("sec-longxi-1")[-1] == (
        f"【延期未同意】工单 #{n} 仍须在 11月24日 09:00 前办结：垃圾桶问题当天就能解决")
    assert chat.pushed("r1") == []
    assert get_ticket(db, n)["deadline_at"] == "2026-11-24T01:00:00Z"
    assert deadlines.scan(db, services.config, local(2026, 11, 24, 10, 0))["escalated"] == 1
