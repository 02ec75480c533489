"""KPIs as the articles report them, and the grid rating 红/蓝/黄."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dispatch import stats, tickets
from dispatch.clock import iso, utcnow
from settings import RatingSettings


def _report(chat, db, sender: str, text: str) -> int:
    chat.say(sender, text)
    return tickets.reporter_tickets(db, f"api:{sender}")[0][0]["id"]


def _late(db, ticket_id: int) -> None:
    """Move the deadline into the past, as if the work took too long."""
    db.execute("UPDATE tickets SET deadline_at = ? WHERE id = ?", [iso(utcnow() - timedelta(hours=1)), ticket_id])
    db.conn.commit()


@pytest.fixture
def period():
    now = utcnow()
    return now - timedelta(days=1), now + timedelta(days=1)


def test_kpis(chat, db, services, period):
    on_time = _report(chat, db, "k1", "广场花苑小区3栋的垃圾桶坏了")
    late = _report(chat, db, "k2", "广场花苑小区5栋的垃圾桶坏了")
    overdue = _report(chat, db, "k3", "广场花苑小区7栋的垃圾桶坏了")
    _report(chat, db, "k4", "广场花苑小区9栋楼道灯不亮了")
    chat.say("sec-longxi-1", f"办结 {on_time} 已更换")
    chat.say("k1", "满意")
    chat.say("sec-longxi-1", f"办结 {late} 已更换")
    chat.say("k2", "不满意 太慢")
    _late(db, late)                          # the rework missed its (shorter) deadline
    chat.say("sec-longxi-1", f"办结 {late} 已更换")
    _late(db, overdue)
    k = stats.kpis(db, services.config, *period, utcnow())
    assert (k["received"], k["done"], k["open"], k["overdue"]) == (4, 2, 2, 1)
    assert k["completion_rate"] == 0.5
    assert k["on_time_rate"] == 0.5
    assert k["satisfaction_rate"] == 0.5     # one 满意, one 不满意


def test_kpis_on_an_empty_period(db, services, period):
    k = stats.kpis(db, services.config, *period, utcnow())
    assert (k["received"], k["completion_rate"], k["satisfaction_rate"]) == (0, None, None)


@pytest.mark.parametrize("score,colour", [(95, "红"), (85, "红"), (84.9, "蓝"), (70, "蓝"), (69.9, "黄"), (0, "黄")])
def test_colour_cut_offs(score, colour):
    assert stats.colour_for(score, RatingSettings()) == colour


def test_unknown_rates_are_left_out_of_the_score():
    settings = RatingSettings()
    assert stats.score_for(settings, 1.0, 1.0, 1.0, None) == 100.0
    assert stats.score_for(settings, 0.5, None, 0.0, None) == pytest.approx(37.5)
    assert stats.score_for(settings, None, None, None, None) is None


def test_grid_ratings_colour_good_and_poor_grids(chat, db, services, period):
    for i in range(2):
        t = _report(chat, db, f"g{i}", f"广场花苑小区{i + 1}栋的垃圾桶坏了")      # longxi-1: done on time, 满意
        chat.say("sec-longxi-1", f"办结 {t} 好了")
        chat.say(f"g{i}", "满意")
    poor = _report(chat, db, "p1", "森工大厦小区2栋的垃圾桶坏了")                 # furong-1: overdue, not done
    _late(db, poor)
    ratings = {r.grid_id: r for r in stats.grid_ratings(db, services.config, *period, utcnow())}
    assert ratings["longxi-1"].colour == "红" and ratings["longxi-1"].score == 100.0
    assert ratings["furong-1"].colour == "黄"
    assert (ratings["pingdong-3"].colour, ratings["pingdong-3"].score) == ("", None)   # no tickets: not rated
    assert len(ratings) == 12


def test_quarters():
    now = datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)   # already 2027-01-01 in Shanghai
    start, end, label = stats.quarter_of(now, "Asia/Shanghai")
    assert label == "2027Q1" and start.month == 1 and end.month == 4
    assert stats.previous_quarter(now, "Asia/Shanghai")[2] == "2026Q4"


def test_publish_ratings_once_per_period(chat, db, services, period):
    _report(chat, db, "q1", "广场花苑小区3栋的垃圾桶坏了")
    stats.publish_ratings(db, services.config, *period, "2026Q4", utcnow())
    stats.publish_ratings(db, services.config, *period, "2026Q4", utcnow())
    pushed = chat.pushed("dispatcher-furong")
    assert len(pushed) == 1 and "芙蓉社区 2026Q4" in pushed[0] and "本期没有工单" in pushed[0]
    assert any("⚪ 龙西社区第一网格党支部 本期 1 件工单，暂无评级" in m        # filed today: not due yet
               for m in chat.pushed("dispatcher-longxi"))


def test_a_grid_is_rated_on_what_is_due_done_or_rated(chat, db, services, period):
    waiting = _report(chat, db, "n1", "广场花苑小区3栋的垃圾桶坏了")     # longxi-1: filed today, not due yet
    ratings = {r.grid_id: r for r in stats.grid_ratings(db, services.config, *period, utcnow())}
    assert (ratings["longxi-1"].colour, ratings["longxi-1"].score, ratings["longxi-1"].completion_rate) == (
        "", None, None)
    done = _report(chat, db, "n2", "广场花苑小区5栋的垃圾桶坏了")        # one done on time; the other still not due
    chat.say("sec-longxi-1", f"办结 {done} 已更换")
    ratings = {r.grid_id: r for r in stats.grid_ratings(db, services.config, *period, utcnow())}
    assert (ratings["longxi-1"].completion_rate, ratings["longxi-1"].satisfaction_rate) == (1.0, None)
    assert (ratings["longxi-1"].colour, ratings["longxi-1"].score) == ("红", 100.0)   # no rating: weights rescaled
    _late(db, waiting)                                                      # now due and not done: it counts
    ratings = {r.grid_id: r for r in stats.grid_ratings(db, services.config, *period, utcnow())}
    assert ratings["longxi-1"].completion_rate == 0.5


def test_whole_days_read_the_daily_rollup_and_follow_changes(chat, db, services):
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(services.config.settings.dispatch.timezone)
    today = utcnow().astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    days = (today - timedelta(days=1), today + timedelta(days=1))        # whole local days: the rollup
    exact = (today - timedelta(days=1, seconds=1), today + timedelta(days=1))   # not aligned: the tickets

    first = _report(chat, db, "d1", "广场花苑小区3栋的垃圾桶坏了")
    _report(chat, db, "d2", "森工大厦小区2栋电梯坏了")

    def both(fn):
        a, b = fn(db, services.config, *days), fn(db, services.config, *exact)
        assert a == b
        return a

    assert both(stats.by_grid)[0]["received"] == 1
    assert {r["key"] for r in both(stats.by_category)} == {"环境卫生", "物业服务"}
    chat.say("sec-longxi-1", f"办结 {first} 已更换")
    chat.say("d1", "满意")
    k = stats.kpis(db, services.config, *days, utcnow())
    assert (k["received"], k["done"], k["satisfied"]) == (2, 1, 1)
    assert k == stats.kpis(db, services.config, *exact, utcnow())
    month_start = today.replace(day=1)
    whole_month = (month_start, (month_start + timedelta(days=32)).replace(day=1))   # read from kpi_monthly
    assert stats.kpis(db, services.config, *whole_month, utcnow()) == k
    assert stats.by_month(db, services.config, *whole_month)[0]["received"] == 2
