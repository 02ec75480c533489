"""Rating reminders at the configured hours, then the dispatcher's 回访 list (also in 待办), 「回访 12 已解决 满意」,
and 解决率 apart from 满意率. The scan is given its time, as the scheduler gives it."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from dispatch import followups, stats
from tests.dispatch.conftest import ticket_number
from tests.volunteers.conftest import local


def test_reminders_then_the_followup_list_then_the_call(chat, db, services):
    config = services.config
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
        m = ticket_number(chat.say("r2", "广场花苑小区6栋楼道灯不亮"))
    with freeze_time(local(2026, 11, 23, 10, 0)):
        chat.say("sec-longxi-1", f"办结 {n} 已换新桶")
        chat.say("sec-longxi-1", f"办结 {m} 已换灯")
    chat.pushed("r1"), chat.pushed("r2"), chat.pushed("dispatcher-longxi")
    resolved = local(2026, 11, 23, 10, 0)
    assert followups.remind_unrated(db, config, resolved + timedelta(hours=23)) == 0
    with freeze_time(resolved + timedelta(hours=23)):
        assert chat.say("r2", "满意") == f"谢谢您的评价！工单 {m} 已完结。"
    assert followups.remind_unrated(db, config, resolved + timedelta(hours=24)) == 1
    assert followups.remind_unrated(db, config, resolved + timedelta(hours=30)) == 0      # once per mark
    assert chat.pushed("r1") == [f"您反映的问题（工单 {n}）已办结，还没收到您的评价。"
                                 "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」。"]
    assert followups.remind_unrated(db, config, resolved + timedelta(hours=72)) == 1
    assert len(chat.pushed("r1")) == 1
    assert chat.pushed("r2") == []
    with freeze_time(resolved + timedelta(hours=95)):
        assert chat.say("dispatcher-longxi", "回访") == "目前没有待回访的工单。"
    with freeze_time(resolved + timedelta(hours=96)):
        assert chat.say("dispatcher-longxi", "回访") == (
            f"待回访（办结后一直未评价，请电话回访）共 1 件：\n#{n} 11-23 10:00 办结｜广场花苑小区3栋的垃圾桶坏了\n"
            "回访后回复「回访 工单号 已解决/未解决 满意/基本满意/不满意」记录结果。")
        assert chat.say("dispatcher-longxi", "待办").endswith(
            "\n另有 1 件办结后未评价的工单待回访，发「回访」查看。")
        assert chat.say("sec-longxi-1", f"回访 {n} 已解决 满意") == "这个操作需要社区调度员来做。"
        assert chat.say("dispatcher-furong", f"回访 {n} 已解决 满意") == (
            f"没有找到工单 {n}，请核对编号；发「我的工单」看看您的工单。")
        assert chat.say("dispatcher-longxi", f"回访 {n} 未解决 基本满意 态度很好，但桶还是坏的") == (
            f"已记录工单 #{n} 的回访结果：未解决，工单已退回原办理人重新办理。")
        assert chat.say("dispatcher-longxi", "回访") == "目前没有待回访的工单。"
        assert chat.say("dispatcher-longxi", f"回访 {m} 已解决 满意") == f"已记录工单 #{m} 的回访结果：已解决，工单已结案。"
    assert any(f"工单 #{n}" in p and "桶还是坏的" in p for p in chat.pushed("sec-longxi-1"))
    row = stats.kpis(db, config, local(2026, 11, 23, 0, 0), local(2026, 11, 24, 0, 0), resolved + timedelta(hours=97))
    assert (row["solved"], row["solve_asked"], row["resolution_rate"]) == (1, 2, 0.5)   # m said solved, n not
    assert row["satisfaction_rate"] == 1.0     # 满意 (r2) and the call's 基本满意: 满意率 is not 解决率
