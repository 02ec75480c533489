"""China's working calendar: 法定节假日 and 调休 from chinese-calendar, config overrides, and a warning for a
year nobody has published yet. Deadlines, reminders and digests all count on it."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from dispatch import deadlines, digests
from dispatch.worktime import Calendar, Limit, add_working, unknown_years
from settings import DispatchSettings
from tests.dispatch.conftest import ticket_number

TZ = ZoneInfo("Asia/Shanghai")
DISPUTE = "龙西小区5栋楼上邻居天天半夜噪音扰民"     # 矛盾纠纷: 5 working days in the demo deployment
CHINA = Calendar.from_settings(DispatchSettings())
WORKDAY = 7 * 3600


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("start,limit,end", [
    # 国庆 2026: 10-01..10-07 off, Sat 10-10 worked (调休). 5 working days from Wed 09-30 10:00:
    # 09-30 5.5 h, 10-08, 10-09, Sat 10-10, Mon 10-12 7 h each, then 1.5 h of Tue 10-13.
    (local(2026, 9, 30, 10, 0), Limit(5 * WORKDAY, "work_days"), local(2026, 10, 13, 10, 0)),
    # 8 working hours from 09-30 16:00: 1.5 h that day, the rest on 10-08, not on 10-01.
    (local(2026, 9, 30, 16, 0), Limit(8 * 3600, "work_hours"), local(2026, 10, 8, 17, 0)),
    # a 调休 Saturday counts: Fri 10-09 16:00 + 8 working hours ends Sat 10-10 at 17:00.
    (local(2026, 10, 9, 16, 0), Limit(8 * 3600, "work_hours"), local(2026, 10, 10, 17, 0)),
    # 春节 2026: Sat 02-14 worked, 02-15..02-23 off. 3 working days from Fri 02-13 10:00:
    # 02-13 5.5 h, Sat 02-14 7 h, Tue 02-24 7 h, then 1.5 h of Wed 02-25.
    (local(2026, 2, 13, 10, 0), Limit(3 * WORKDAY, "work_days"), local(2026, 2, 25, 10, 0)),
    # the wall clock ignores the calendar
    (local(2026, 9, 30, 10, 0), Limit(24 * 3600, "hours"), local(2026, 10, 1, 10, 0)),
])
def test_limits_count_china_s_holidays_and_adjusted_working_days(start, limit, end):
    assert limit.end(start, CHINA) == end.astimezone(timezone.utc)


@pytest.mark.parametrize("day,working", [
    (date(2026, 10, 1), False), (date(2026, 10, 7), False), (date(2026, 10, 10), True),   # 国庆, 调休 Saturday
    (date(2026, 9, 20), True), (date(2026, 2, 14), True), (date(2026, 2, 23), False),     # 调休 Sunday, 春节
    (date(2026, 11, 21), False), (date(2026, 11, 23), True),                              # an ordinary weekend
])
def test_official_days_off_and_adjusted_working_days(day, working):
    assert CHINA.is_working_day(day) is working


def test_config_overrides_single_days_and_fills_a_year_the_package_lacks():
    cal = Calendar.from_settings(DispatchSettings(
        holidays=["2026-11-23", "2027-10-01"], extra_working_days=["2026-10-07", "2027-09-26"],
        calendar_years=[2027]))
    assert not cal.is_working_day(date(2026, 11, 23))            # config wins over the calendar both ways
    assert cal.is_working_day(date(2026, 10, 7))
    assert not cal.is_working_day(date(2027, 10, 1)) and cal.is_working_day(date(2027, 9, 26))
    assert add_working(local(2027, 9, 30, 17, 0), 3600, cal) == local(2027, 10, 4, 9, 0).astimezone(timezone.utc)


def test_an_unknown_year_is_named_before_it_begins_never_guessed_silently():
    assert unknown_years(CHINA, date(2026, 12, 3), 60) == [2027]
    assert unknown_years(CHINA, date(2026, 9, 30), 60) == []      # more than 60 days before 2027
    assert unknown_years(CHINA, date(2027, 3, 1), 60) == [2027]   # this year itself unknown: always
    listed = Calendar.from_settings(DispatchSettings(calendar_years=[2027]))
    assert unknown_years(listed, date(2026, 12, 3), 60) == []
    weekends_only = Calendar.from_settings(DispatchSettings(holiday_calendar="none"))
    assert unknown_years(weekends_only, date(2026, 12, 3), 60) == []


def test_the_warning_tells_the_operator_how_to_fill_the_year(services):
    text = deadlines.calendar_warning(services.config, local(2026, 12, 3, 9, 0))
    assert text.startswith("注意：还没有 2027 年的法定节假日和调休安排")
    assert "dispatch.calendar_years" in text
    assert deadlines.calendar_warning(services.config, local(2026, 6, 1, 9, 0)) is None


def test_a_dispute_filed_the_day_before_national_day_is_due_after_it(chat):
    """The maintainers' check: a 5-working-day 矛盾纠纷 report on Wed 2026-09-30 10:00, read back with 「进度 N」."""
    with freeze_time(local(2026, 9, 30, 10, 0)):
        reply = chat.say("r1", DISPUTE)
        n = ticket_number(reply)
        assert "预计 10月13日 10:00 前办结" in reply
        progress = chat.say("r1", f"进度 {n}")
    assert "期限：10月13日 10:00" in progress.splitlines()


def test_no_morning_digest_on_a_holiday(chat, db, services):
    with freeze_time(local(2026, 9, 30, 10, 0)):
        chat.say("r1", DISPUTE)
    assert digests.daily_digest(db, services.config, local(2026, 10, 2, 8, 0)) == 0       # 国庆
    assert digests.daily_digest(db, services.config, local(2026, 10, 10, 8, 0)) == 1      # the 调休 Saturday
