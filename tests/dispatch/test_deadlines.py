"""限时办结: working-time arithmetic, reminders at 50% / 80%, 督办 then the leaders, restart-safe, one scheduler."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from dispatch import deadlines
from dispatch.clock import parse_iso
from dispatch.tickets import get_ticket
from dispatch.worktime import Calendar, add_working, working_seconds_between
from settings import DispatchSettings
from tests.dispatch.conftest import events, ticket_number, with_dispatch

TZ = ZoneInfo("Asia/Shanghai")
LITTER = "广场花苑小区3栋的垃圾桶坏了"          # 环境卫生: 24 hours by default


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


CAL = Calendar.from_settings(DispatchSettings(holidays=["2026-11-24"], extra_working_days=["2026-11-29"]))


@pytest.mark.parametrize("start,hours,end", [
    (local(2026, 11, 20, 16, 0), 8, local(2026, 11, 23, 17, 0)),     # Fri 16:00 + 8h → Mon 17:00 (weekend skipped)
    (local(2026, 11, 22, 10, 0), 1, local(2026, 11, 23, 9, 30)),     # Sunday: the clock starts Monday 8:30
    (local(2026, 11, 23, 11, 30), 1, local(2026, 11, 23, 14, 30)),   # lunch break skipped
    (local(2026, 11, 23, 17, 0), 1, local(2026, 11, 25, 9, 0)),      # Tuesday 24th is a holiday
    (local(2026, 11, 28, 9, 0), 2, local(2026, 11, 29, 10, 30)),     # Saturday waits for the 调休 Sunday
    (local(2026, 11, 23, 8, 30), 0, local(2026, 11, 23, 8, 30)),
])
def test_working_hours_arithmetic(start, hours, end):
    assert add_working(start, hours * 3600, CAL) == end.astimezone(timezone.utc)
    assert working_seconds_between(start, end, CAL) == pytest.approx(hours * 3600) or hours == 0


def test_a_working_day_is_the_configured_hours():
    assert CAL.day_seconds == 7 * 3600


@pytest.fixture
def services(services):
    """环境卫生 counted in working hours (8), 居家养老 in working days (2); no response limit (接单时限 has its own
    tests in test_responses.py), so the pushes counted here are the 限时办结 ones."""
    return with_dispatch(services, claim_hours=0, categories={"环境卫生": {"deadline_unit": "work_hours", "deadline_hours": 8},
                                               "居家养老": {"deadline_unit": "work_days", "deadline_days": 2}})


def test_reminders_and_escalation_follow_working_time(chat, db, services):
    with freeze_time(local(2026, 11, 20, 16, 0)):                 # a Friday afternoon
        reply = chat.say("r1", LITTER)
    n = ticket_number(reply)
    assert "11月23日 17:00" in reply                               # Monday, not Saturday 00:00
    t = get_ticket(db, n)
    assert t["deadline_unit"] == "work_hours"
    assert "8 个工作小时" in events(db, n)[1]["note"]
    chat.pushed("sec-longxi-1")
    config = services.config

    def scan(*when: int) -> dict[str, int]:
        return deadlines.scan(db, config, local(*when))

    assert scan(2026, 11, 21, 12, 0) == {"reminded": 0, "escalated": 0}     # Saturday: no working time passes
    assert scan(2026, 11, 23, 10, 59)["reminded"] == 0
    assert scan(2026, 11, 23, 11, 1)["reminded"] == 1                        # 4 working hours: Mon 11:00
    assert scan(2026, 11, 23, 15, 30)["reminded"] == 1                       # 6.4 working hours: Mon 15:24
    reminders = chat.pushed("sec-longxi-1")
    assert len(reminders) == 2 and "提醒" in reminders[0] and "紧急提醒" in reminders[1]
    assert [e["note"] for e in events(db, n) if e["kind"] == "reminded"] == [
        "办理时限已用去 50%，提醒办理人", "办理时限已用去 80%，提醒办理人"]
    assert scan(2026, 11, 23, 17, 1)["escalated"] == 1
    assert get_ticket(db, n)["state"] == "escalated"
    assert any("【督办】" in m for m in chat.pushed("dispatcher-longxi"))
    assert chat.pushed("leader") == []
    # the leaders after 24 more working hours: Mon 17:00-17:30, Tue-Thu 7 h each, Fri 8:30 + 2.5 h → 11:00
    assert scan(2026, 11, 27, 10, 59)["escalated"] == 0
    assert scan(2026, 11, 27, 11, 1)["escalated"] == 1
    assert any("上报" in m for m in chat.pushed("leader"))
    assert get_ticket(db, n)["escalation_level"] == 2


def test_work_days_deadline(chat, db):
    with freeze_time(local(2026, 11, 23, 9, 0)):
        n = ticket_number(chat.say("r1", "广场花苑小区3栋有位独居老人需要探望"))
    t = get_ticket(db, n)
    assert t["category"] == "居家养老" and t["deadline_unit"] == "work_days"
    assert parse_iso(t["deadline_at"]) == local(2026, 11, 25, 9, 0).astimezone(timezone.utc)


def test_an_urgent_hazard_keeps_its_short_wall_clock_limit(chat, db):
    with freeze_time(local(2026, 11, 21, 22, 0)):                 # Saturday night
        n = ticket_number(chat.say("r1", "广场花苑小区3栋楼道里有燃气味"))
    t = get_ticket(db, n)
    assert t["urgency"] == "紧急" and t["deadline_unit"] == "hours"
    assert parse_iso(t["deadline_at"]) == local(2026, 11, 22, 2, 0).astimezone(timezone.utc)
