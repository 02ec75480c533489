"""Daily and monthly KPI sums per grid and category (kpi_daily, kpi_monthly): a period of years reads
thousands of rows, not millions of tickets.

A day is a local calendar day of the deployment. ``refresh`` sums again only the days that hold a ticket
changed since the last refresh (found through the ``tickets_updated`` index), reading each day from the
``tickets_kpi`` covering index; the first refresh builds every day. It keeps no clock of its own: the
watermark is the newest ``updated_at`` it saw, minus a margin for writes that commit late, and summing
a day twice is harmless.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from dispatch import dialect
from dispatch.clock import iso, parse_iso
from dispatch.store import transaction
from settings import Config

SINCE_KEY = "stats:rollup_since"
SHAPE_KEY = "stats:rollup_shape"     # time zone, good ratings and columns the sums were made with
NEWEST_KEY = "stats:rollup_newest"   # the newest updated_at the last refresh saw, and when it ran:
#: a change after a refresh gets an updated_at of at least that second, so it shows as a newer max.
MARGIN = timedelta(minutes=5)

#: What every period sum counts; `:good0`… are the good rating values, bound at run time.
#: A comparison with NULL (no rating, not resolved) is NULL, so each sum counts only rows where it is true.
SUMS = """
    count(*) AS received,
    count(CASE WHEN state != 'rejected' THEN 1 END) AS accepted,
    count(CASE WHEN state IN ('resolved', 'closed', 'answered') THEN 1 END) AS done,
    count(CASE WHEN state = 'answered' OR (state IN ('resolved', 'closed') AND resolved_at <= deadline_at)
               THEN 1 END) AS on_time,
    count(rating) AS rated,
    count(CASE WHEN rating IN ({good}) THEN 1 END) AS satisfied,
    count(CASE WHEN respond_by IS NOT NULL AND state != 'rejected' THEN 1 END) AS response_due,
    count(CASE WHEN claimed_at <= respond_by AND state != 'rejected' THEN 1 END) AS responded,
    count(solved) AS solve_asked,
    count(CASE WHEN solved = 1 THEN 1 END) AS solved,
    count(claim_seconds) AS claimed,
    coalesce(sum(claim_seconds), 0) AS claim_seconds
"""
COLUMNS = ("received", "accepted", "done", "on_time", "rated", "satisfied", "response_due", "responded",
           "solve_asked", "solved", "claimed", "claim_seconds")


def sums_sql(good: list[str]) -> tuple[str, dict[str, str]]:
    names = {f"good{i}": value for i, value in enumerate(good)}
    return SUMS.format(good=", ".join(f":{n}" for n in names) or "NULL"), names


def day_bounds(day: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A local day as a UTC [start, end) range (right across a daylight-saving change too)."""
    d = date.fromisoformat(day)
    start = datetime.combine(d, time(0), tz)
    end = datetime.combine(d + timedelta(days=1), time(0), tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def is_day_aligned(start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    return all(t.astimezone(tz).time() == time(0) for t in (start, end))


def _kv(db: Database, key: str) -> str | None:
    row = db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def _set_kv(db: Database, key: str, value: str) -> None:
    db.execute("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               [key, value])


def _dirty_days(db: Database, since: str, tz: ZoneInfo) -> list[str]:
    """Local days of tickets changed since the watermark; both neighbours too where the zone has DST."""
    newest = db.execute("SELECT max(updated_at) FROM tickets").fetchone()[0]
    if newest is None:
        return []
    offset = parse_iso(newest).astimezone(tz).utcoffset() or timedelta(0)
    modifier = f"{int(offset.total_seconds() // 60):+d} minutes"
    days = {r[0] for r in db.execute(f"SELECT DISTINCT {dialect.local_day(db, 'created_at')} FROM tickets WHERE updated_at >= ?",
                                     [modifier, since])}
    jan, jul = (datetime(2026, m, 1, tzinfo=tz).utcoffset() for m in (1, 7))
    if jan != jul:
        days |= {(date.fromisoformat(d) + timedelta(days=k)).isoformat() for d in days for k in (-1, 1)}
    return sorted(days)


def refresh(db: Database, config: Config, force: bool = False) -> int:
    """Bring kpi_daily and kpi_monthly up to date; returns how many days were summed again.

    Without ``force`` nothing is done while no ticket is newer than at the last refresh, and that refresh
    ran in a later second than its newest ticket (a couple of look-ups: what a page load pays). The worker
    forces a refresh every minute, which also catches a write that committed late with an older
    ``updated_at`` (up to MARGIN; the app stamps changes with the current time).
    """
    tz = ZoneInfo(config.settings.dispatch.timezone)
    good = config.settings.points.good_ratings
    shape = json.dumps([config.settings.dispatch.timezone, good, COLUMNS], ensure_ascii=False)
    sums, names = sums_sql(good)
    if not force:
        newest = db.execute("SELECT max(updated_at) FROM tickets").fetchone()[0]
        seen, ran = (_kv(db, NEWEST_KEY) or "|").split("|")
        if newest is not None and newest == seen and ran > newest and _kv(db, SHAPE_KEY) == shape:
            return 0
    with transaction(db):
        since = _kv(db, SINCE_KEY) or ""
        if _kv(db, SHAPE_KEY) != shape:
            since = ""
            db.execute("DELETE FROM kpi_daily")
            db.execute("DELETE FROM kpi_monthly")
        newest = db.execute("SELECT max(updated_at) FROM tickets").fetchone()[0]
        days = _dirty_days(db, since, tz)
        for day in days:
            start, end = day_bounds(day, tz)
            db.execute("DELETE FROM kpi_daily WHERE day = ?", [day])
            db.execute(
                f"INSERT INTO kpi_daily (day, grid_id, category, {', '.join(COLUMNS)}) "
                f"SELECT :day, coalesce(grid_id, ''), category, {sums} FROM tickets "
                "WHERE created_at >= :start AND created_at < :end AND state != 'merged' GROUP BY grid_id, category",
                {"day": day, "start": iso(start), "end": iso(end), **names})
        for month in sorted({d[:7] for d in days}):
            db.execute("DELETE FROM kpi_monthly WHERE month = ?", [month])
            db.execute(
                f"INSERT INTO kpi_monthly (month, grid_id, category, {', '.join(COLUMNS)}) "
                f"SELECT :month, grid_id, category, {', '.join(f'sum({c})' for c in COLUMNS)} FROM kpi_daily "
                "WHERE day >= :first AND day < :stop GROUP BY grid_id, category",
                {"month": month, "first": f"{month}-01", "stop": f"{_month_after(month)}-01"})
        if newest:
            _set_kv(db, SINCE_KEY, iso(parse_iso(newest) - MARGIN))
            ran = db.execute(f"SELECT {dialect.now_iso(db)}").fetchone()[0]
            _set_kv(db, NEWEST_KEY, f"{newest}|{ran}")
        _set_kv(db, SHAPE_KEY, shape)
    return len(days)


def _month_after(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def _segments(first: date, stop: date) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    """Split local days [first, stop) into day ranges at the ends and whole months in between."""
    m0 = first.strftime("%Y-%m") if first.day == 1 else _month_after(first.strftime("%Y-%m"))
    m1 = stop.strftime("%Y-%m")
    if m0 >= m1:
        return [(first.isoformat(), stop.isoformat())], None
    return [(first.isoformat(), f"{m0}-01"), (f"{m1}-01", stop.isoformat())], (m0, m1)


#: Group expressions over kpi_daily and kpi_monthly; a week needs days, so it never reads the months.
_GROUPS = {None: ("NULL", "NULL"), "grid_id": ("nullif(grid_id, '')", "nullif(grid_id, '')"),
           "category": ("category", "category"), "month": ("substr(day, 1, 7)", "month"),
           "week": ("strftime('%Y-%W', day)", None)}


def period_rows(db: Database, config: Config, start: datetime, end: datetime,
                group: str | None) -> list[dict[str, Any]]:
    """The sums over local days [start, end), grouped by None, grid_id, category, month or week (our names).

    Whole months in the middle come from kpi_monthly, the days at either end from kpi_daily, so two years
    is a few thousand rows whatever the number of tickets.
    """
    tz = ZoneInfo(config.settings.dispatch.timezone)
    first, stop = start.astimezone(tz).date(), end.astimezone(tz).date()
    day_expr, month_expr = _GROUPS[group]
    day_expr = dialect.year_week(db, "day") if group == "week" else day_expr
    days, months = _segments(first, stop)
    if month_expr is None:
        days, months = [(first.isoformat(), stop.isoformat())], None
    cols = ", ".join(COLUMNS)
    parts, params = [], {}
    for i, (a, b) in enumerate(days):
        parts.append(f"SELECT {day_expr} AS key, {cols} FROM kpi_daily WHERE day >= :d{i}a AND day < :d{i}b")
        params.update({f"d{i}a": a, f"d{i}b": b})
    if months:
        parts.append(f"SELECT {month_expr} AS key, {cols} FROM kpi_monthly WHERE month >= :m0 AND month < :m1")
        params.update({"m0": months[0], "m1": months[1]})
    totals = ", ".join(f"sum({c}) AS {c}" for c in COLUMNS)
    sql = f"SELECT {'key' if group else 'NULL AS key'}, {totals} FROM ({' UNION ALL '.join(parts)}) AS periods"
    if group:
        sql += " GROUP BY key ORDER BY received DESC"
    return list(db.query(sql, params))
