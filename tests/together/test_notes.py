"""「备注 12 …」 through the real app: staff see it (marked 内部), the reporter never does; 处理中/办结 notes stay
public, and a staff work number given in them is not masked while a resident's still is."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from tests.dispatch.conftest import ticket_number

TZ = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_internal_notes_reach_staff_only(chat):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    for person in ("r1", "sec-longxi-1", "dispatcher-longxi"):
        chat.pushed(person)
    with freeze_time(local(2026, 11, 23, 9, 30)):
        assert chat.say("sec-longxi-1", f"备注 {n} 住户白天不在家，约了晚上七点") == (
            f"已记下工单 #{n} 的内部备注（仅工作人员可见，不会告诉反映人），已推送给 1 位同事。")
        assert chat.say("r1", f"备注 {n} 我自己写一句") == (
            "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。")
        assert chat.say("sec-furong-1", f"备注 {n} 看看") == f"没有找到工单 {n}，请核对编号；发「我的工单」看看您的工单。"
        assert chat.say("dispatcher-longxi", f"备注 {n}") == (
            "请写上备注内容，例如「备注 12 住户白天不在家，约了晚上七点」。备注只有工作人员看得到。")
    assert chat.pushed("dispatcher-longxi") == [f"【内部备注】工单 #{n} 龙西一网格王书记：住户白天不在家，约了晚上七点"]
    assert chat.pushed("r1") == []
    with freeze_time(local(2026, 11, 23, 10, 0)):
        staff_view = chat.say("dispatcher-longxi", f"进度 {n}")
        resident_view = chat.say("r1", f"进度 {n}")
    assert staff_view.endswith("\n【内部】11-23 09:30 住户白天不在家，约了晚上七点")
    assert "内部" not in resident_view and "晚上七点" not in resident_view


def test_progress_and_result_notes_stay_public_with_staff_numbers_in_full(chat):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.pushed("r1")
    with freeze_time(local(2026, 11, 23, 10, 0)):
        chat.say("sec-longxi-1", f"处理中 {n} 已联系物业，有问题打我电话13900001234")
        chat.say("sec-longxi-1", f"办结 {n} 已换新桶，邻居13812345678也确认了")
    assert chat.pushed("r1") == [
        f"您反映的问题（工单 {n}）正在处理中：已联系物业，有问题打我电话13900001234。",
        f"您反映的问题（工单 {n}）已办结：已换新桶，邻居138****5678也确认了\n"
        "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。"]
