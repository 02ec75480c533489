"""主办/协办 and decisions told, through the real app: a co-handler sees its part in 待办 and reports it, the lead
closes only when every part is done, the reporter hears one story; 议定 assigns the lead it names, adds the
co-handlers and tells every department, the grid and the reporter."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from dispatch import joint
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import ticket_number

TZ = ZoneInfo("Asia/Shanghai")
STALLS = "广场花苑小区门口有人占道摆摊，垃圾也没人清"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_co_handlers_report_their_parts_and_the_lead_closes(chat, db):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
        chat.say("sec-longxi-1", f"接单 {n}")
    for person in ("r1", "sec-longxi-1", "dept-chengguan", "dispatcher-longxi"):
        chat.pushed(person)
    with freeze_time(local(2026, 11, 23, 9, 30)):
        assert chat.say("sec-longxi-2", f"协办 {n} 城管") == "只有社区调度员或主办单位可以请部门协办。"
        assert chat.say("sec-longxi-1", f"协办 {n} 城管 门口流动摊贩要城管劝离") == (
            f"已请区城管局协办工单 #{n}。协办单位完成后会回复「协办完成 {n}」，全部协办完成后由主办单位办结。")
        assert chat.say("dispatcher-longxi", f"协办 {n} 城管") == f"这个部门已经在办理工单 #{n} 了，不用重复添加。"
        assert chat.say("dispatcher-longxi", f"协办 {n} 龙西二网格") == "协办只能请部门。可以写网格编号（如 longxi-2）、网格名称或部门名称。"
    assert chat.pushed("dept-chengguan") == [
        f"【协办】工单 #{n}（广场花苑小区3栋）由龙西社区第一网格党支部主办，请贵单位协办：门口流动摊贩要城管劝离\n"
        f"广场花苑小区3栋的垃圾桶坏了\n期限：11月24日 09:00。完成后回复「协办完成 {n} 情况」。"]
    with freeze_time(local(2026, 11, 23, 10, 0)):
        assert f"#{n}" in chat.say("dept-chengguan", "待办")
        assert "状态：已接单" in chat.say("dept-chengguan", f"进度 {n}")
        assert chat.say("sec-longxi-1", f"办结 {n} 已换新桶") == (
            f"工单 #{n} 还有协办未完成（区城管局），请等协办单位回复「协办完成 {n}」后再办结。")
        assert chat.say("dept-ludeng", f"协办完成 {n}") == "您所在的部门没有这张工单的协办任务。"
        assert chat.say("dept-chengguan", f"协办完成 {n} 摊贩已劝离") == (
            f"已记录工单 #{n} 的协办完成情况，已告知主办单位。协办都已完成，主办单位可以办结了。")
        assert chat.say("dept-chengguan", "待办") == "您手上暂时没有待办工单 👍"
    assert chat.pushed("sec-longxi-1") == [
        f"【协办完成】工单 #{n} 区城管局：摊贩已劝离\n协办已全部完成，可以回复「办结 {n} 情况」。"]
    assert chat.pushed("r1") == []                           # one story: the reporter hears the lead's steps only
    with freeze_time(local(2026, 11, 23, 11, 0)):
        assert chat.say("sec-longxi-1", f"办结 {n} 已换新桶，摊贩已劝离") == f"工单 #{n} 已办结，已通知反映人评价。辛苦了！"
    assert chat.pushed("r1") == [f"您反映的问题（工单 {n}）已办结：已换新桶，摊贩已劝离\n"
                                 "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。"]


def test_a_decision_assigns_its_lead_and_is_told_to_everyone_on_the_ticket(chat, db):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", "濂溪路的路灯不亮了"))            # to 路灯所 by rule
        chat.say("dept-ludeng", f"转交 {n} 区市政排水处 线路埋在路面下")   # a second department: the agenda
    assert [i["id"] for i in joint.agenda(db, "longxi")] == [n]
    for person in ("r1", "dept-ludeng", "dept-shizheng", "dept-chengguan", "dept-zhujian", "sec-longxi-2"):
        chat.pushed(person)
    grid = get_ticket(db, n)["grid_id"]
    with freeze_time(local(2026, 11, 24, 15, 0)):
        assert chat.say("sec-longxi-1", f"议定 {n} 由路灯所牵头") == "这个操作需要社区调度员来做。"
        reply = chat.say("dispatcher-longxi", f"议定 {n} 由路灯所牵头，市政、住建配合，三日内修复")
    assert reply.startswith(f"已记录联席会议意见，工单 #{n} 移出议题，由区城管局路灯维护所主办，区市政排水处、区住建局协办。"
                            "议定意见已告知 ")
    t = get_ticket(db, n)
    assert (t["department_id"], t["grid_id"], t["state"]) == ("ludeng", grid, "transferred")
    decision = f"【联席会议议定】工单 #{n}：由路灯所牵头，市政、住建配合，三日内修复\n请按议定意见办理。"
    assert grid == "longxi-2"
    for person in ("dept-ludeng", "dept-shizheng", "dept-zhujian", "sec-longxi-2"):
        assert decision in chat.pushed(person), person
    assert chat.pushed("dept-chengguan") == []
    assert f"您反映的问题（工单 {n}）经社区联席会议商议决定：由路灯所牵头，市政、住建配合，三日内修复\n" \
           "办理结果会再告诉您。" in chat.pushed("r1")
    assert chat.say("dispatcher-longxi", f"议定 {n} 再议") == "目前没有待提交联席会议的工单。"
