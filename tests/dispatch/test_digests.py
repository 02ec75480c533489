"""The morning digest to each grid secretary and the weekly summary to each community dispatcher."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from dispatch import digests
from dispatch.clock import iso, parse_iso
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import ticket_number


@pytest.fixture(autouse=True)
def on_a_working_day():
    """Morning digests go out on working days only: these run on an ordinary Thursday."""
    with freeze_time(datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        yield


def test_daily_digest_lists_open_due_today_and_overdue_once_a_day(chat, db, services):
    a = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    b = ticket_number(chat.say("r2", "广场花苑小区5栋楼道灯不亮了"))
    now = parse_iso(get_ticket(db, a)["created_at"]) + timedelta(hours=1)
    db.execute("UPDATE tickets SET deadline_at = ? WHERE id = ?", [iso(now - timedelta(hours=2)), b])
    db.execute("UPDATE tickets SET deadline_at = ? WHERE id = ?", [iso(now + timedelta(minutes=5)), a])
    db.conn.commit()
    chat.pushed("sec-longxi-1")
    assert digests.daily_digest(db, services.config, now) == 1            # only the grid with work
    [digest] = chat.pushed("sec-longxi-1")
    assert "在办 2 件" in digest and "今天到期 1 件" in digest and "已超期 1 件" in digest
    assert f"超期 #{b}" in digest and f"今天到期 #{a}" in digest
    assert chat.pushed("sec-longxi-2") == []
    digests.daily_digest(db, services.config, now + timedelta(minutes=30))
    assert chat.pushed("sec-longxi-1") == []                              # a second run the same day sends nothing


def test_weekly_summary_to_each_community(chat, db, services):
    a = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("sec-longxi-1", f"办结 {a} 已更换")
    chat.say("r1", "满意")
    ticket_number(chat.say("r2", "龙西小区20栋楼道灯不亮了"))
    now = parse_iso(get_ticket(db, a)["created_at"]) + timedelta(hours=1)
    chat.pushed("dispatcher-longxi")
    assert digests.weekly_summary(db, services.config, now) == 4          # every community dispatcher
    [summary] = chat.pushed("dispatcher-longxi")
    assert "龙西社区" in summary and "新收 2 件" in summary and "办结 1 件" in summary and "满意率 100%" in summary
    assert "龙西社区第三网格党支部：在办 1" in summary
    [other] = chat.pushed("dispatcher-furong")
    assert "新收 0 件" in other
    digests.weekly_summary(db, services.config, now + timedelta(hours=1))
    assert chat.pushed("dispatcher-longxi") == []


def test_a_long_digest_says_how_many_more(chat, db, services):
    numbers = [ticket_number(chat.say(f"r{i}", f"广场花苑小区{i + 1}栋的垃圾桶坏了")) for i in range(7)]
    now = parse_iso(get_ticket(db, numbers[0])["created_at"]) + timedelta(hours=1)
    db.execute("UPDATE tickets SET deadline_at = ?", [iso(now - timedelta(hours=2))])
    db.conn.commit()
    chat.pushed("sec-longxi-1")
    digests.daily_digest(db, services.config, now)
    [digest] = chat.pushed("sec-longxi-1")
    assert "已超期 7 件" in digest and digest.count("· 超期 #") == 5
    assert digest.endswith("· 另有 2 件超期，见工作台")


def test_weekly_satisfaction_is_rounded_half_up(chat, db, services):
    for i, rating in enumerate(["满意", "基本满意", "不满意 还是坏的"]):
        n = ticket_number(chat.say(f"w{i}", f"广场花苑小区{i + 1}栋的垃圾桶坏了"))
        chat.say("sec-longxi-1", f"办结 {n} 已更换")
        chat.say(f"w{i}", rating)
    chat.pushed("dispatcher-longxi")
    digests.weekly_summary(db, services.config, parse_iso(get_ticket(db, n)["created_at"]) + timedelta(hours=1))
    [summary] = chat.pushed("dispatcher-longxi")
    assert "满意率 67%" in summary                 # 2 of 3, not 66%
