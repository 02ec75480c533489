"""What reporters see: duplicates joining a ticket, 我的工单 / 进度 N, 不满意 reopening, unrated tickets closing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch import duplicates, tickets
from dispatch.clock import parse_iso, utcnow
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import events, ticket_number, with_dispatch

LITTER = "广场花苑小区3栋的垃圾桶坏了"


def test_a_second_report_of_the_same_problem_joins_the_ticket(chat, db):
    n = ticket_number(chat.say("r1", LITTER))
    chat.say("sec-longxi-1", f"接单 {n}")
    chat.pushed("sec-longxi-1")
    reply = chat.say("r2", "广场花苑3栋垃圾桶坏掉了，一直没人修", photos=["http://img.example/bin.jpg"])
    assert f"工单 {n}" in reply and "共 2 人反映" in reply
    t = get_ticket(db, n)
    assert t["reporters"] == 2
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    assert any("共 2 人反映" in m for m in chat.pushed("sec-longxi-1"))       # the handler sees the count
    assert "相似度" in events(db, n)[-1]["note"]
    assert "共 2 人反映" in chat.say("r2", f"进度 {n}")                       # the follower may look
    assert f"#{n}" in chat.say("r2", "我的工单")
    chat.say("sec-longxi-1", f"办结 {n} 已更换新桶")
    assert any("已更换新桶" in m for m in chat.pushed("r2"))                # and hears the result


def test_other_buildings_categories_and_old_tickets_do_not_join(chat, db, services):
    a = ticket_number(chat.say("r1", LITTER))
    b = ticket_number(chat.say("r2", "广场花苑小区5栋的垃圾桶坏了"))      # another building
    c = ticket_number(chat.say("r3", "广场花苑小区3栋楼道灯不亮了"))      # another problem
    assert len({a, b, c}) == 3
    db.execute("UPDATE tickets SET created_at = ? WHERE id = ?",
               [(utcnow() - timedelta(hours=services.config.settings.dispatch.duplicate_window_hours + 1))
                .strftime("%Y-%m-%dT%H:%M:%SZ"), a])
    db.conn.commit()
    d = ticket_number(chat.say("r4", LITTER))                            # outside the window
    assert d not in (a, b, c)


def test_status_shows_state_handler_deadline_last_update_result_and_masks_phones(chat, db):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了，联系我13812345678"))
    assert "13812345678" not in chat.say("r1", "我的工单")
    chat.say("sec-longxi-1", f"接单 {n}")
    status = chat.say("r1", f"进度 {n}")
    assert "已接单" in status and "龙西一网格王书记" in status and "期限" in status
    assert "138****5678" in status and "13812345678" not in status
    chat.say("sec-longxi-1", f"办结 {n} 已更换", photos=["http://img.example/after.jpg"])
    status = chat.say("r1", f"进度 {n}")
    assert "处理照片 1 张" in status and "http://img.example/after.jpg" in status
    assert "处理结果：已更换" in status and "最近" in status
    assert "没有找到" in chat.say("stranger", f"进度 {n}")                  # never someone else's


def test_a_landline_in_a_report_is_masked_like_a_mobile(chat):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的路灯坏了，物业电话0731-88881234"))
    status = chat.say("r1", f"进度 {n}")
    assert "0731-****1234" in status and "88881234" not in status


def test_not_satisfied_reopens_with_a_shorter_deadline_the_community_sees_it(chat, db):
    n = ticket_number(chat.say("r1", LITTER))
    first = get_ticket(db, n)
    original = parse_iso(first["deadline_at"]) - parse_iso(first["created_at"])
    chat.say("sec-longxi-1", f"接单 {n}")
    chat.say("sec-longxi-1", f"办结 {n} 已更换")
    chat.pushed("dispatcher-longxi")
    assert "重新交办" in chat.say("r1", "不满意 桶还是坏的")
    t = get_ticket(db, n)
    assert (t["state"], t["claimed_by"]) == ("reopened", "api:sec-longxi-1")
    new_limit = parse_iso(t["deadline_at"]) - parse_iso(t["clock_started_at"])
    assert new_limit == original / 2
    assert any("差评整改" in m and "桶还是坏的" in m for m in chat.pushed("sec-longxi-1"))
    assert any("差评整改" in m for m in chat.pushed("dispatcher-longxi"))
    assert "整改中" in chat.say("r1", f"进度 {n}")
    assert "已办结" in chat.say("sec-longxi-1", f"办结 {n} 换了新桶")
    assert "谢谢" in chat.say("r1", "满意")


def test_unrated_tickets_close_as_satisfied_only_when_configured(chat, db, services):
    n = ticket_number(chat.say("r1", LITTER))
    chat.say("sec-longxi-1", f"办结 {n} 已更换")
    later = utcnow() + timedelta(days=services.config.settings.dispatch.rating_timeout_days, minutes=1)
    assert tickets.close_unrated(db, services.config, later) == 0
    assert get_ticket(db, n)["state"] == "resolved"
    on = with_dispatch(services, close_unrated_as_satisfied=True).config
    assert tickets.close_unrated(db, on, utcnow()) == 0                  # not yet N days
    assert tickets.close_unrated(db, on, later) == 1
    t = get_ticket(db, n)
    assert (t["state"], t["rating"]) == ("closed", "满意")
    assert "未评价" in events(db, n)[-1]["note"]
    assert any("按满意完结" in m for m in chat.pushed("r1"))


@pytest.mark.parametrize("a,b,same", [
    ("广场花苑小区3栋的垃圾桶坏了", "广场花苑3栋垃圾桶坏掉了，没人修", True),
    ("濂溪路的路灯不亮了，电话13812345678", "濂溪路路灯晚上一直不亮", True),   # a short line and a longer story
    ("路灯坏了", "路灯不亮", True),
    ("广场花苑小区3栋的垃圾桶坏了", "广场花苑小区3栋楼道堆满杂物", False),
    ("龙西小区5栋楼道灯不亮了", "龙西小区5栋楼道堆满杂物", False),           # only the place words agree
])
def test_similar_words(services, a, b, same):
    drop = ("广场花苑小区", "广场花苑", "3栋", "濂溪路", "龙西小区", "5栋")
    threshold = services.config.settings.dispatch.duplicate_similarity
    assert (duplicates.similarity(a, b, drop) >= threshold) is same


def test_a_road_report_with_a_phone_number_still_gathers_its_duplicates(chat, db):
    n = ticket_number(chat.say("r1", "濂溪路的路灯不亮了，电话13812345678"))
    assert f"工单 {n}" in chat.say("r2", "濂溪路路灯晚上一直不亮")
    assert any("共 2 人反映" in m for m in chat.pushed("dept-ludeng"))
    chat.say("dept-ludeng", f"转交 {n} 市政排水处 线路在路面下")
    assert any("区市政排水处" in m for m in chat.pushed("r2"))
    status = chat.say("r2", f"进度 {n}")
    assert "路灯所联络员转交区市政排水处：线路在路面下" in status and "138****5678" in status
