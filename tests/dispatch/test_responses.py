"""接单时限 (response limits): a reminder to the grid when the limit is near, the dispatcher told once when it
passes, the time to claim kept on the ticket; counted in working time across 国庆, or in minutes of the clock
for a 紧急 report. The scan is given its time, as the scheduler gives it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from dispatch import deadlines, responses
from dispatch.clock import iso
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import events, ticket_number, with_dispatch

TZ = ZoneInfo("Asia/Shanghai")
LITTER = "广场花苑小区3栋的垃圾桶坏了"          # 环境卫生, longxi-1: the default 2 working hours to claim
WIRES = "广场花苑小区3栋楼道里电线裸露"          # 紧急: 15 minutes of the clock to claim


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def claim_pushes(chat, person: str) -> list[str]:
    """The 接单 reminders and escalations a person received (the 限时办结 ones are tested elsewhere)."""
    return [m for m in chat.pushed(person) if m.startswith(("【接单提醒】", "【接单超时】"))]


def test_a_claim_limit_waits_out_national_day(chat, db, services):
    config = services.config
    with freeze_time(local(2026, 9, 30, 16, 30)):         # the Wednesday before 国庆 (10-01 … 10-07 off)
        n = ticket_number(chat.say("r1", LITTER))
    t = get_ticket(db, n)
    # one working hour on Sep 30 (to 17:30), the second on Thursday Oct 8 from 8:30
    assert (t["respond_by"], t["respond_unit"]) == (iso(local(2026, 10, 8, 9, 30)), "work_hours")
    chat.pushed("sec-longxi-1"), chat.pushed("dispatcher-longxi")

    def scan(*when: int) -> dict[str, int]:
        return deadlines.scan(db, config, local(*when))

    assert "claim_reminded" not in scan(2026, 10, 3, 12, 0)          # the holiday: no working time passes
    assert "claim_reminded" not in scan(2026, 10, 8, 8, 59)
    assert scan(2026, 10, 8, 9, 1)["claim_reminded"] == 1             # 75% of the limit: Oct 8 9:00
    assert claim_pushes(chat, "sec-longxi-1") == [
        f"【接单提醒】工单 #{n}（广场花苑小区3栋）还没有人接单，请于 10月08日 09:30 前回复「接单 {n}」。\n"
        "广场花苑小区3栋的垃圾桶坏了"]
    assert claim_pushes(chat, "dispatcher-longxi") == []
    assert scan(2026, 10, 8, 9, 31)["claim_escalated"] == 1
    told = (f"【接单超时】工单 #{n}（龙西社区第一网格党支部）过了接单时限 10月08日 09:30 仍无人接单，请督促接单或改派：\n"
            "广场花苑小区3栋的垃圾桶坏了")
    assert claim_pushes(chat, "dispatcher-longxi") == [told]
    assert claim_pushes(chat, "sec-longxi-1") == [told]
    assert "claim_escalated" not in scan(2026, 10, 8, 10, 0)          # once
    assert claim_pushes(chat, "dispatcher-longxi") == []
    with freeze_time(local(2026, 10, 8, 10, 0)):
        assert chat.say("sec-longxi-1", f"接单 {n}").startswith(f"已接单 #{n}")
    t = get_ticket(db, n)
    assert (t["claimed_at"], t["claim_seconds"]) == (iso(local(2026, 10, 8, 10, 0)), 2.5 * 3600)   # working time
    assert [e["note"] for e in events(db, n) if e["kind"].startswith("claim_")] == [
        "接单时限将到，提醒办理人接单", "超过接单时限（10月08日 09:30）无人接单，已告知社区调度员"]


def test_an_urgent_report_is_claimed_within_minutes_day_or_night(chat, db, services):
    config = services.config
    with freeze_time(local(2026, 11, 21, 22, 0)):          # a Saturday night
        n = ticket_number(chat.say("r1", WIRES))
    t = get_ticket(db, n)
    assert (t["urgency"], t["respond_by"], t["respond_unit"]) == ("紧急", iso(local(2026, 11, 21, 22, 15)), "hours")
    chat.pushed("sec-longxi-1")
    assert deadlines.scan(db, config, local(2026, 11, 21, 22, 12))["claim_reminded"] == 1    # 11¼ minutes
    assert len(claim_pushes(chat, "sec-longxi-1")) == 1
    with freeze_time(local(2026, 11, 21, 22, 14)):
        chat.say("sec-longxi-1", f"处理中 {n} 马上到")       # work begun claims it, in time
    assert get_ticket(db, n)["claim_seconds"] == 14 * 60
    assert "claim_escalated" not in deadlines.scan(db, config, local(2026, 11, 21, 22, 30))
    assert claim_pushes(chat, "dispatcher-longxi") == []


def test_a_new_handler_gets_a_fresh_claim_limit(chat, db, services):
    with freeze_time(local(2026, 11, 23, 9, 0)):           # a Monday
        n = ticket_number(chat.say("r1", LITTER))
    with freeze_time(local(2026, 11, 23, 10, 30)):
        chat.say("dispatcher-longxi", f"派单 {n} 龙西社区第二网格党支部")
    t = get_ticket(db, n)
    assert (t["grid_id"], t["respond_by"]) == ("longxi-2", iso(local(2026, 11, 23, 14, 30)))   # lunch skipped
    chat.pushed("sec-longxi-1"), chat.pushed("dispatcher-longxi")
    assert "claim_escalated" not in deadlines.scan(db, services.config, local(2026, 11, 23, 11, 1))   # the old limit
    assert claim_pushes(chat, "sec-longxi-1") == [] and claim_pushes(chat, "dispatcher-longxi") == []


def test_the_urgency_limit_stands_when_categories_have_none(services):
    quiet = with_dispatch(services, claim_hours=0)
    assert responses.limit_for(quiet.config, "环境卫生", "一般", local(2026, 11, 23, 9, 0)) is None
    urgent = responses.limit_for(quiet.config, "环境卫生", "紧急", local(2026, 11, 23, 9, 0))
    assert urgent is not None and urgent.at == local(2026, 11, 23, 9, 15)
