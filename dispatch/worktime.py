"""Working time: 限时办结 counted in working hours or working days (8:30-12:00, 14:00-17:30, Mon-Fri).

Pure arithmetic on aware datetimes, read in the deployment's time zone. Which days are worked comes
from China's official calendar (法定节假日 and 调休 as the State Council publishes them each year, from
the chinese-calendar package; ``dispatch.holiday_calendar``), then config: ``holidays`` and
``extra_working_days`` override single days, and ``calendar_years`` names years config lists in full
(for a year the package does not know yet). A year nobody knows falls back to ``working_days`` only,
and :func:`unknown_years` says so, so that the operator is warned instead of a silent guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from settings import Category, DispatchSettings

#: A limit that never ends inside this many days is a configuration mistake, not a loop to run forever.
MAX_DAYS = 3660


@dataclass(frozen=True)
class Official:
    """A published national calendar: days off on weekdays, 调休 working weekend days, and the years it covers."""

    days_off: frozenset[date] = frozenset()
    days_on: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()


@lru_cache(maxsize=4)
def official_calendar(name: str) -> Official:
    """China's 法定节假日 and 调休 from chinese-calendar (it lists each year's State Council notice and
    refuses years it does not know, where the ``holidays`` package would project a year's dates by rule
    without its 调休 Saturdays). ``none``: weekends only."""
    if name == "none":
        return Official()
    from chinese_calendar import constants

    years = {d.year for d in constants.holidays} & {d.year for d in constants.workdays}
    return Official(frozenset(constants.holidays), frozenset(constants.workdays), frozenset(years))


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    spans: tuple[tuple[time, time], ...]
    weekdays: frozenset[int]
    holidays: frozenset[date]          # config: days off, whatever the official calendar says
    extra_days: frozenset[date]        # config: days worked, whatever the official calendar says
    official: Official = Official()
    config_years: frozenset[int] = frozenset()
    follows_official: bool = False     # False: weekends only, every year known

    @classmethod
    def from_settings(cls, s: DispatchSettings) -> "Calendar":
        spans = []
        for text in s.working_hours:
            a, b = (time.fromisoformat(part.zfill(5)) for part in text.split("-"))
            spans.append((a, b))
        return cls(ZoneInfo(s.timezone), tuple(sorted(spans)), frozenset(s.working_days),
                   frozenset(date.fromisoformat(d) for d in s.holidays),
                   frozenset(date.fromisoformat(d) for d in s.extra_working_days),
                   official_calendar(s.holiday_calendar), frozenset(s.calendar_years),
                   s.holiday_calendar != "none")

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_days:
            return True
        if day in self.holidays:
            return False
        if day.year not in self.config_years:
            if day in self.official.days_on:
                return True
            if day in self.official.days_off:
                return False
        return day.isoweekday() in self.weekdays

    def knows(self, year: int) -> bool:
        """Whether the days off of ``year`` are published (package or config), not guessed from weekdays."""
        return not self.follows_official or year in self.official.years or year in self.config_years

    @property
    def day_seconds(self) -> float:
        """One working day, in working seconds (7 hours for the default calendar)."""
        return sum((datetime.combine(date.min, b) - datetime.combine(date.min, a)).total_seconds()
                   for a, b in self.spans)

    def _intervals(self, day: date):
        if self.is_working_day(day):
            for a, b in self.spans:
                yield (datetime.combine(day, a, self.tz), datetime.combine(day, b, self.tz))


def unknown_years(cal: Calendar, today: date, warn_days: int) -> list[int]:
    """This year, when unknown, and next year when it is unknown and starts within ``warn_days``."""
    years = [today.year] if not cal.knows(today.year) else []
    if not cal.knows(today.year + 1) and (date(today.year + 1, 1, 1) - today).days <= warn_days:
        years.append(today.year + 1)
    return years


def add_working(start: datetime, seconds: float, cal: Calendar) -> datetime:
    """The moment ``seconds`` of working time after ``start``; a start outside working time waits for the next."""
    local = start.astimezone(cal.tz)
    remaining = max(0.0, seconds)
    day = local.date()
    for _ in range(MAX_DAYS):
        for a, b in cal._intervals(day):
            begin = max(a, local)
            if begin >= b:
                continue
            available = (b - begin).total_seconds()
            if remaining <= available:
                return (begin + timedelta(seconds=remaining)).astimezone(timezone.utc)
            remaining -= available
        day += timedelta(days=1)
    raise ValueError("the working calendar has no working time; check dispatch.working_hours and working_days")


def working_seconds_between(a: datetime, b: datetime, cal: Calendar) -> float:
    """Working time from a to b (0 when b is not after a)."""
    if b <= a:
        return 0.0
    total, day = 0.0, a.astimezone(cal.tz).date()
    end_day = b.astimezone(cal.tz).date()
    while day <= end_day:
        for x, y in cal._intervals(day):
            lo, hi = max(x, a), min(y, b)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


@dataclass(frozen=True)
class Limit:
    """A time limit: how much time, and on which clock ('hours' is the wall clock)."""

    seconds: float
    unit: str

    def end(self, start: datetime, cal: Calendar, fraction: float = 1.0) -> datetime:
        if self.unit == "hours":
            return start + timedelta(seconds=self.seconds * fraction)
        return add_working(start, self.seconds * fraction, cal)


def category_limit(category: Category, cal: Calendar) -> Limit:
    if category.deadline_unit == "work_days":
        return Limit(category.deadline_days * cal.day_seconds, "work_days")
    return Limit(category.deadline_hours * 3600, category.deadline_unit)
