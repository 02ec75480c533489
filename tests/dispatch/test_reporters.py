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
    assert any("已办结" in m for m in chat.pushed("r2"))                    # and hears the result,
    assert any("已更换新桶" in m for m in chat.pushed("r1"))                # the handler's words to r1 only


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
    status = chat.say("r1", f"进度 {n}")
    assert "路灯所联络员转交区市政排水处：线路在路面下" in status and "138****5678" in status
    public = chat.say("r2", f"进度 {n}")          # a follower: the public status, not r1's words or the note
    assert "区市政排水处" in public and "138" not in public and "线路在路面下" not in public


LIGHT = "翠湖小区2栋楼道灯不亮"


def _resolved(chat, tell, reporter: str, text: str, secretary: str, note: str) -> int:
    n = tell(chat, reporter, text)
    chat.say(secretary, f"接单 {n}")
    chat.say(secretary, f"办结 {n} {note}")
    chat.pushed(secretary)
    return n


@pytest.mark.parametrize("rating", ["1 不满意 灯还是不亮", "工单1不满意，灯还是不亮", "对1号工单不满意，灯还是不亮"])
def test_a_rating_that_names_the_ticket_and_adds_a_comment_reopens_it(chat, db, tell, rating):
    n = _resolved(chat, tell, "r1", LIGHT, "sec-furong-2", "已换灯泡")
    assert n == 1
    assert "重新交办" in chat.say("r1", rating)
    assert get_ticket(db, n)["state"] == "reopened"
    assert any("意见：灯还是不亮。" in m for m in chat.pushed("sec-furong-2"))
    assert "办好后会再请您评价" in chat.say("r1", "工单1不满意，还是不亮")   # a second complaint while it is reworked


def test_a_comment_after_a_comma_reaches_the_handler_without_the_comma(chat, tell):
    _resolved(chat, tell, "r1", LITTER, "sec-longxi-1", "已更换")
    chat.say("r1", "不满意，根本没换")
    assert any("意见：根本没换。" in m for m in chat.pushed("sec-longxi-1"))


def test_plain_rating_rates_the_ticket_resolved_last_and_names_the_other(chat, db, tell):
    first = _resolved(chat, tell, "r1", LITTER, "sec-longxi-1", "好了")
    second = _resolved(chat, tell, "r1", LIGHT, "sec-furong-2", "换了灯泡")
    reply = chat.say("r1", "满意")
    assert reply.startswith(f"谢谢您的评价！工单 {second} 已完结。")
    assert f"您还有工单 {first} 待评价" in reply
    assert get_ticket(db, first)["state"] == "resolved"
    assert chat.say("r1", "满意") == f"谢谢您的评价！工单 {first} 已完结。"
    assert chat.say("r1", "满意") == "您目前没有待评价的工单。"


BIN = "平东小区8栋门口的垃圾桶坏了"
SAME_BIN = "平东小区8栋门口垃圾桶坏了好几天"


def test_a_follower_is_heard_but_never_closes_or_reopens_the_first_reporters_ticket(chat, db, tell):
    """Whoever joins a ticket by reporting the same thing may be a stranger: their rating is passed on once,
    the first reporter's decides."""
    n = tell(chat, "d1", BIN)
    assert f"工单 {n}" in chat.say("d2", SAME_BIN)
    chat.say("sec-pingdong-1", f"办结 {n} 已换新垃圾桶 联系了302室王先生")
    to_follower = chat.pushed("d2")
    assert any("问题解决了吗？满意吗？" in m for m in to_follower)
    assert not any("换新垃圾桶" in m or "王先生" in m for m in to_follower)   # the handler's note is the reporter's
    assert "意见已转告网格和社区" in chat.say("d2", "不满意 还是坏的")
    assert get_ticket(db, n)["state"] == "resolved"
    assert chat.say("d2", "不满意 还是坏的") == "您目前没有待评价的工单。"     # once, not again and again
    assert chat.say("d2", f"满意 {n}") != f"谢谢您的评价！工单 {n} 已完结。"
    assert get_ticket(db, n)["state"] == "resolved"
    assert any("另一位反映人不满意" in m for m in chat.pushed("sec-pingdong-1"))
    assert chat.say("d1", "满意") == f"谢谢您的评价！工单 {n} 已完结。"
    assert get_ticket(db, n)["state"] == "closed"


def test_a_co_reporter_who_answers_second_is_still_heard(chat, db, tell):
    n = tell(chat, "d1", BIN)
    chat.say("d2", SAME_BIN)
    chat.say("sec-pingdong-1", f"办结 {n} 已换新垃圾桶")
    chat.pushed("sec-pingdong-1")
    chat.pushed("dispatcher-pingdong")
    assert chat.say("d1", "满意") == f"谢谢您的评价！工单 {n} 已完结。"
    assert "意见已转告网格和社区" in chat.say("d2", "不满意 门口还是很脏")
    assert get_ticket(db, n)["state"] == "closed"                         # the first answer decided
    for person in ("sec-pingdong-1", "dispatcher-pingdong"):
        assert any("另一位反映人不满意" in m and "门口还是很脏" in m for m in chat.pushed(person))
    assert "另一位反映人评价：不满意" in events(db, n)[-1]["note"]
    assert chat.say("d2", "不满意") == "您目前没有待评价的工单。"             # one answer each


def test_a_follower_satisfied_after_a_complaint_hears_it_is_being_reworked(chat, db, tell):
    n = tell(chat, "d1", BIN)
    chat.say("d2", SAME_BIN)
    chat.say("sec-pingdong-1", f"办结 {n} 已换新垃圾桶")
    chat.say("d1", "不满意 桶还是坏的")
    assert "正在整改" in chat.say("d2", "满意")
    assert get_ticket(db, n)["state"] == "reopened"


def test_news_on_the_way_reaches_the_reporter(chat):
    n = ticket_number(chat.say("r9", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("sec-longxi-1", f"处理中 {n} 已联系物业")
    assert "处理中" in chat.say("sec-longxi-1", f"处理中 {n} 物业说明天换新桶")
    assert any("物业说明天换新桶" in m for m in chat.pushed("r9"))
