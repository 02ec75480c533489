"""Rider points (志愿服务积分), staff points (心愿积分), the leaderboard, the champion and 兑换."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dispatch import points, tickets
from dispatch.clock import utcnow
from dispatch.users import get_user


def test_valid_report_earns_points_and_photo_earns_extra(chat):
    chat.say("rider1", "广场花苑小区3栋的垃圾桶坏了", photos=["https://img.example/1.jpg"])
    reply = chat.say("rider1", "积分")
    assert "志愿服务积分：15 分" in reply
    assert "有效反映" in reply and "附照片" in reply


def test_urgent_hazard_earns_extra(chat):
    chat.say("rider2", "龙西小区5栋楼道里有燃气味，好像漏气了")
    assert "紧急隐患" in chat.say("rider2", "积分")


def review_ticket(db, services, reporter: str) -> dict:
    """A report the bot could not route: it waits in the dispatcher's queue."""
    from dispatch.routing import Route
    from dispatch.users import ensure_user

    ensure_user(db, reporter, utcnow())
    parse = services.engine.parse("那边有点情况")
    review = Route("self", "其他", "longxi", None, None, True, "未能确定网格，转社区审核")
    return tickets.create_ticket(db, services.config, reporter, parse, review, utcnow()).ticket


def test_report_waiting_for_review_earns_nothing_until_assigned(chat, db, services):
    ticket = review_ticket(db, services, "api:rider3")
    assert ticket["state"] == "received"
    assert "0 分" in chat.say("rider3", "积分")
    tickets.assign(db, services.config, ticket["id"], "api:dispatcher-longxi", utcnow(), "longxi-1", None)
    assert "10 分" in chat.say("rider3", "积分")


def test_rejected_report_takes_points_back(chat, db, services):
    chat.say("rider4", "广场花苑小区3栋的垃圾桶坏了")
    assert "10 分" in chat.say("rider4", "积分")
    ticket = tickets.reporter_tickets(db, "api:rider4")[0][0]
    from dispatch.states import State
    tickets.move(db, tickets.get_ticket(db, ticket["id"]), State.REJECTED, "api:dispatcher-longxi", "不属实",
                 utcnow())
    reply = chat.say("rider4", "积分")
    assert "志愿服务积分：0 分" in reply and "收回" in reply


def test_scan_twice_counts_once(chat, db, services):
    chat.say("rider5", "广场花苑小区3栋的垃圾桶坏了")
    points.sync(db, services.config, utcnow())
    points.sync(db, services.config, utcnow())
    assert points.balance(db, "api:rider5") == 10


def test_staff_get_wish_points_for_a_well_rated_task(chat, db, services):
    chat.say("rider6", "广场花苑小区3栋的垃圾桶坏了")
    ticket_id = tickets.reporter_tickets(db, "api:rider6")[0][0]["id"]
    chat.say("sec-longxi-1", f"接单 {ticket_id}")
    chat.say("sec-longxi-1", f"办结 {ticket_id} 已更换")
    chat.say("rider6", "满意")
    reply = chat.say("sec-longxi-1", "积分")
    assert "心愿积分：10 分" in reply and "办结获好评" in reply


def test_unsatisfied_rating_gives_no_wish_points(chat, db):
    chat.say("rider7", "广场花苑小区3栋的垃圾桶坏了")
    ticket_id = tickets.reporter_tickets(db, "api:rider7")[0][0]["id"]
    chat.say("sec-longxi-1", f"办结 {ticket_id} 已更换")
    chat.say("rider7", "不满意 还是坏的")
    assert "心愿积分：0 分" in chat.say("sec-longxi-1", "积分")


def _give(db, user: str, amount: int, key: str, at: datetime | None = None) -> None:
    from dispatch.users import ensure_user
    ensure_user(db, user, at or utcnow())
    points.add_entry(db, user, amount, "测试", at or utcnow(), key)
    db.conn.commit()


def test_redeem_spends_once_on_a_retried_message(chat, db):
    _give(db, "api:rider8", 120, "seed8")
    first = chat.say("rider8", "兑换 雨衣", msg_id="redeem-1")
    again = chat.say("rider8", "兑换 雨衣", msg_id="redeem-1")   # WeChat retries the same message id
    assert "兑换成功：雨衣" in first and "剩余 20 分" in first
    assert again == first
    assert points.balance(db, "api:rider8") == 20


def test_redeem_never_goes_negative(chat, db):
    _give(db, "api:rider9", 120, "seed9")
    assert "兑换成功" in chat.say("rider9", "兑换 雨衣")
    reply = chat.say("rider9", "兑换 雨衣")
    assert "积分不够" in reply and "20 分" in reply
    assert points.balance(db, "api:rider9") == 20


def test_redeem_same_message_twice_at_the_store_level(db, services):
    _give(db, "api:rider10", 100, "seed10")
    user = get_user(db, "api:rider10")
    first = points.redeem(db, services.config, user, "雨衣", utcnow(), "api:m-1")
    second = points.redeem(db, services.config, user, "雨衣", utcnow(), "api:m-1")
    assert (first.repeated, second.repeated, second.balance) == (False, True, 0)
    assert points.balance(db, "api:rider10") == 0


def test_unknown_reward_lists_the_catalogue(chat):
    reply = chat.say("rider11", "兑换 飞机")
    assert "没有「飞机」" in reply and "雨衣" in reply


def test_leaderboard_shows_this_weeks_top_ten(chat, db):
    for i in range(12):
        _give(db, f"api:lb{i:02d}", 10 + i, f"lb{i}")
    _give(db, "api:old", 500, "old", utcnow() - timedelta(days=8))   # last week: not on this week's board
    reply = chat.say("lb05", "排行榜")
    lines = [line for line in reply.splitlines() if "分" in line and "排" not in line]
    assert len(lines) == 10
    assert "21 分" in lines[0] and "12 分" in lines[-1]
    assert "500" not in reply
    assert "您排第 7 名" in reply


def test_weekly_champion_goes_to_the_group_and_the_champion(chat, db, services):
    now = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)   # Monday 09:00 in Shanghai
    last_week = now - timedelta(days=3)
    _give(db, "api:champ", 80, "c1", last_week)
    _give(db, "api:second", 30, "c2", last_week)
    champion = points.announce_champion(db, services.config, now)
    points.announce_champion(db, services.config, now)   # the job running twice sends once
    db.conn.commit()
    assert champion["user_id"] == "api:champ"
    group = list(db.query("SELECT body FROM outbox WHERE recipient = 'group:fengchao'"))
    assert len(group) == 1 and "每周之星" in group[0]["body"] and "80 分" in group[0]["body"]
    assert get_user(db, "group:fengchao")["display_name"] == "蜂巢驿站"
    assert any("恭喜" in m for m in chat.pushed("champ"))


@pytest.mark.parametrize("name,expected", [("小王", "小王"), ("", "未署名的热心人"), (None, "未署名的热心人")])
def test_people_are_named_by_their_name_never_by_their_id(name, expected):
    import wording
    assert wording.person_label(name) == expected


def test_leaderboard_leaves_out_points_taken_back(chat):
    chat.say("rider12", "金桂园小区3栋门口垃圾没人清")
    chat.say("rider13", "广场花苑小区3栋的垃圾桶坏了")
    assert "10 分" in chat.say("rider12", "积分")
    chat.say("dispatcher-longxi", "驳回 1 经核实已清理")
    assert "志愿服务积分：0 分" in chat.say("rider12", "积分")
    board = chat.say("rider12", "排行榜")
    assert board.splitlines()[1:3] == ["🥇 未署名的热心人 10 分",          # only the accepted report
                                       "发「我叫 名字」取个名字，上榜时就显示它。"]


def _earn(db, user: str, ticket_id: int, amount: int, at: datetime) -> None:
    from dispatch.users import ensure_user
    ensure_user(db, user, at)
    points.add_entry(db, user, amount, "有效反映", at, f"report:{ticket_id}:{user}", ticket_id)
    db.conn.commit()


def test_weekly_champion_skips_a_report_taken_back_after_the_week(chat, db, services):
    now = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)   # Monday 09:00 in Shanghai
    _earn(db, "api:rejected", 1, 30, now - timedelta(days=2))
    _earn(db, "api:honest", 2, 10, now - timedelta(days=2))
    points.add_entry(db, "api:rejected", -30, "工单 #1 未受理，收回积分", now - timedelta(hours=2), "void:1", 1)
    db.conn.commit()                                          # rejected on Monday morning, before the news
    champion = points.announce_champion(db, services.config, now)
    assert (champion["user_id"], champion["points"]) == ("api:honest", 10)
    this_week = points.leaderboard(db, points.week_start(now, "Asia/Shanghai"), now + timedelta(days=1))
    assert this_week == []                                    # nor does the take-back count against this week
