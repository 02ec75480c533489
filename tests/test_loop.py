"""The whole 三单 loop through the JSON API: report → route → push → 接单 → 办结 → told → rating."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

import wording
from dispatch.clock import parse_iso
from dispatch.tickets import get_ticket


def ticket_number(reply: str) -> int:
    m = re.search(r"工单号 (\d+)", reply)
    assert m, reply
    return int(m.group(1))


def events(db, ticket_id: int) -> list[str]:
    return [r["kind"] for r in db.query("SELECT kind FROM ticket_events WHERE ticket_id = ? ORDER BY id", [ticket_id])]


def test_report_is_routed_claimed_resolved_and_rated(chat, db):
    reply = chat.say("rider-7", "广场花苑小区3栋的垃圾桶坏了")
    n = ticket_number(reply)
    assert "龙西社区第一网格党支部" in reply and "进度" in reply

    ticket = get_ticket(db, n)
    assert (ticket["state"], ticket["category"], ticket["handling"], ticket["grid_id"]) == (
        "routed", "环境卫生", "self", "longxi-1")

    pushed = chat.pushed("sec-longxi-1")
    assert len(pushed) == 1 and f"接单 {n}" in pushed[0] and "垃圾桶坏了" in pushed[0]
    assert chat.pushed("sec-longxi-2") == []          # another grid hears nothing

    assert "已接单" in chat.say("sec-longxi-1", f"接单 {n}")
    assert get_ticket(db, n)["state"] == "claimed"
    assert any("已由" in m and "接单" in m for m in chat.pushed("rider-7"))

    assert "已办结" in chat.say("sec-longxi-1", f"办结 {n} 已更换新垃圾桶")
    told = chat.pushed("rider-7")
    assert len(told) == 1 and "已更换新垃圾桶" in told[0] and "满意" in told[0]
    assert get_ticket(db, n)["state"] == "resolved"

    assert "谢谢" in chat.say("rider-7", "满意")
    ticket = get_ticket(db, n)
    assert (ticket["state"], ticket["rating"]) == ("closed", "满意")
    assert events(db, n) == ["received", "routed", "claimed", "resolved", "closed"]


def test_not_satisfied_reopens_to_the_same_handler(chat, db):
    n = ticket_number(chat.say("resident-1", "龙西小区5栋楼道灯不亮了"))
    chat.say("sec-longxi-2", f"接单 {n}")
    chat.say("sec-longxi-2", f"办结 {n} 已修好")
    chat.pushed("sec-longxi-2")
    assert "重新交办" in chat.say("resident-1", "不满意 还是不亮")
    ticket = get_ticket(db, n)
    assert ticket["state"] == "reopened" and ticket["claimed_by"] == "api:sec-longxi-2"
    assert any("差评整改" in m and "还是不亮" in m for m in chat.pushed("sec-longxi-2"))
    assert any("差评整改" in m for m in chat.pushed("dispatcher-longxi"))


def test_street_light_on_a_road_is_transferred_and_grid_informed(chat, db):
    n = ticket_number(chat.say("rider-2", "濂溪路实验小学对面的路灯不亮了"))
    ticket = get_ticket(db, n)
    assert (ticket["handling"], ticket["department_id"], ticket["state"]) == ("transfer", "ludeng", "transferred")
    assert any("转交" in m for m in chat.pushed("dept-ludeng"))
    assert any("知会" in m for m in chat.pushed("sec-longxi-2"))
    assert "没有权限" in chat.say("sec-longxi-2", f"接单 {n}") or "只有负责" in chat.say("sec-longxi-2", f"接单 {n}")
    assert "已接单" in chat.say("dept-ludeng", f"接单 {n}")


def test_only_the_assigned_grid_can_claim(chat, db):
    n = ticket_number(chat.say("rider-3", "广场花苑小区1栋门口垃圾堆了好几天"))
    assert chat.say("sec-furong-1", f"接单 {n}") == wording.no_such_ticket(n)   # another grid's: not even seen
    assert "工作人员" in chat.say("rider-3", f"接单 {n}")
    assert get_ticket(db, n)["state"] == "routed"


def test_resident_sees_only_own_tickets(chat):
    n = ticket_number(chat.say("alice", "森工大厦小区2栋电梯坏了"))
    assert f"#{n}" in chat.say("alice", "我的工单")
    assert "电梯坏了" in chat.say("alice", f"进度 {n}")
    assert "没有找到" in chat.say("bob", f"进度 {n}")
    assert "还没有" in chat.say("bob", "我的工单")


def test_retry_of_the_same_message_makes_no_second_ticket(chat, db):
    first = chat.say("rider-9", "平东小区5号楼旁边垃圾堆了好多天", msg_id="wx-123")
    again = chat.say("rider-9", "平东小区5号楼旁边垃圾堆了好多天", msg_id="wx-123")
    assert first == again
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
    assert len(chat.pushed("sec-pingdong-1")) == 1


def test_missing_place_is_asked_for_and_completed(chat, db):
    assert "哪个小区" in chat.say("resident-5", "楼道里有人给电动车充电")
    reply = chat.say("resident-5", "芙蓉苑小区6栋")
    n = ticket_number(reply)
    ticket = get_ticket(db, n)
    assert (ticket["grid_id"], ticket["category"], ticket["building"]) == ("furong-2", "安全隐患", "6栋")
    assert "电动车充电" in ticket["text"]


def test_photo_then_words_is_one_report(chat, db):
    assert "照片" in chat.say("rider-4", "", photos=["http://example.invalid/p.jpg"])
    n = ticket_number(chat.say("rider-4", "翠湖小区3栋门口井盖破了"))
    assert db.execute("SELECT count(*) FROM media WHERE ticket_id = ? AND purpose = 'report'", [n]).fetchone()[0] == 1


def test_question_is_answered_in_one_go(chat, db):
    reply = chat.say("grandpa", "老年出行卡怎么办？")
    for needed in ("身份证", "便民服务中心", "0792-8123401", "5个工作日"):
        assert needed in reply
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0


def test_unanswerable_question_goes_to_a_person(chat, db):
    reply = chat.say("grandpa", "请问社区今年的龙舟赛什么时候报名？")
    assert "工作人员" in reply
    assert any("待审核" in m for m in chat.pushed("dispatcher-longxi") + chat.pushed("dispatcher-furong"))


def test_api_needs_key_and_json(client):
    assert client.post("/api/messages", json={"sender": "x", "text": "hi"}).status_code == 401
    r = client.post("/api/messages", data="not json", headers={"X-Api-Key": "test-api-key"})
    assert r.status_code == 400 and r.get_json()["ok"] is False


def test_an_answer_without_a_place_keeps_the_report_and_asks_again(chat, db):
    """「就在我家楼下」 answers 「哪个小区？」 without a place: the broken light must not be forgotten."""
    assert "哪个小区" in chat.say("resident-6", "楼道灯不亮")
    assert "哪个小区" in chat.say("resident-6", "就在我家楼下")
    n = ticket_number(chat.say("resident-6", "广场花苑5栋"))
    ticket = get_ticket(db, n)
    assert "楼道灯不亮" in ticket["text"] and "就在我家楼下" in ticket["text"]
    assert (ticket["place"], ticket["building"], ticket["category"]) == ("广场花苑小区", "5栋", "物业服务")


def test_a_building_first_then_the_estate_makes_one_report(chat, db):
    assert "哪个小区" in chat.say("resident-7", "楼下垃圾桶满了")
    assert "哪个小区" in chat.say("resident-7", "3栋")
    ticket = get_ticket(db, ticket_number(chat.say("resident-7", "翠湖")))
    assert "垃圾桶满了" in ticket["text"]
    assert (ticket["place"], ticket["building"]) == ("翠湖小区", "3栋")


def test_a_question_while_the_place_is_awaited_is_answered_and_the_report_still_waits(chat, db):
    assert "哪个小区" in chat.say("resident-8", "楼道里有人给电动车充电")
    assert "身份证" in chat.say("resident-8", "老年出行卡怎么办？")
    ticket = get_ticket(db, ticket_number(chat.say("resident-8", "芙蓉苑小区6栋")))
    assert "电动车充电" in ticket["text"] and ticket["category"] == "安全隐患"


def test_progress_shows_a_resident_what_happened_not_how_it_was_routed(chat):
    n = ticket_number(chat.say("resident-9", "广场花苑小区3栋的垃圾桶坏了"))
    mine = chat.say("resident-9", f"进度 {n}")
    assert "已派单" in mine
    assert "置信度" not in mine and "网格自办" not in mine
    assert "网格自办" in chat.say("sec-longxi-1", f"进度 {n}")     # staff still see why it came to them


@pytest.mark.parametrize("text", ["广场花苑小区", "我住在平东小区", "芙蓉苑小区5栋 asdf"])
def test_a_place_alone_is_no_ticket_and_no_points(chat, db, text):
    reply = chat.say("farmer", text)
    assert "什么问题" in reply and "工单" not in reply
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    assert "：0 分" in chat.say("farmer", "积分")


def test_the_place_first_then_the_problem_is_one_report(chat, db):
    assert "什么问题" in chat.say("resident-10", "龙西小区5栋")
    ticket = get_ticket(db, ticket_number(chat.say("resident-10", "路灯坏了好几天了")))
    assert (ticket["place"], ticket["building"]) == ("龙西小区", "5栋")
    assert "路灯坏了" in ticket["text"]


def test_the_reporter_withdraws_a_report_that_is_no_longer_needed(chat, db):
    n = ticket_number(chat.say("resident-11", "广场花苑小区3栋的垃圾桶坏了"))
    assert "没有找到" in chat.say("resident-12", f"撤回 {n}")          # only the reporter may
    assert "已撤回" in chat.say("resident-11", f"撤回 {n} 已经修好了")
    assert get_ticket(db, n)["state"] == "rejected"
    assert any("撤回" in m and "已经修好了" in m for m in chat.pushed("sec-longxi-1"))
    assert "已经撤回了" in chat.say("resident-11", f"撤回 {n}")
    status = chat.say("resident-11", f"进度 {n}")
    assert "状态：已撤回" in status and "未受理" not in status


def test_a_report_the_community_refused_still_reads_as_not_accepted(chat):
    n = ticket_number(chat.say("resident-16", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("dispatcher-longxi", f"驳回 {n} 属于物业合同纠纷")
    assert "状态：未受理" in chat.say("resident-16", f"进度 {n}")


def test_a_report_others_joined_cannot_be_withdrawn_by_one_of_them(chat, db):
    n = ticket_number(chat.say("resident-13", "平东小区8栋门口的垃圾桶坏了"))
    chat.say("resident-14", "平东小区8栋门口垃圾桶坏了好几天")
    assert "其他居民" in chat.say("resident-13", f"撤回 {n}")
    assert get_ticket(db, n)["state"] == "routed"


def test_a_close_without_a_note_tells_the_reporter_plainly(chat):
    n = ticket_number(chat.say("resident-15", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("sec-longxi-1", f"办结 {n}")
    told = chat.pushed("resident-15")[-1]
    assert f"工单 {n}）已办结。" in told and "已办结：已办结" not in told


def test_asking_for_a_person_reaches_the_community_dispatcher(chat, db):
    assert "工作人员" in chat.say("grandma", "转人工")
    assert db.execute("SELECT count(*) FROM tickets WHERE state = 'received'").fetchone()[0] == 1
    assert any("待审核" in m for m in chat.pushed("dispatcher-longxi") + chat.pushed("dispatcher-furong"))


@pytest.mark.parametrize("text, call, grid", [
    ("龙西小区5栋有人要跳楼", "110", "longxi-2"),
    ("书香苑2栋着火了", "119", "xianyuan-3"),
    ("翠湖小区2栋电梯困人了", "119", "furong-2"),
    ("阳光家园3栋有老人摔倒了起不来", "120", "pingdong-2"),
])
def test_an_emergency_is_told_whom_to_call_first_and_is_urgent(chat, db, text, call, grid):
    reply = chat.say("resident-8", text)
    first, _, rest = reply.partition("\n")
    assert first == f"情况紧急，请马上拨打 {call}！"
    n = ticket_number(rest)
    ticket = get_ticket(db, n)
    assert (ticket["urgency"], ticket["grid_id"], ticket["department_id"]) == ("紧急", grid, None)
    assert parse_iso(ticket["deadline_at"]) - parse_iso(ticket["created_at"]) == timedelta(hours=4)
    assert any(m.startswith(f"【紧急工单】#{n}") and f"接单 {n}" in m for m in chat.pushed(f"sec-{grid}"))


def test_a_gas_leak_also_names_the_gas_company(chat):
    assert chat.say("resident-8", "平东小区3栋厨房漏气了").startswith(
        "情况紧急，请马上拨打 119，也可以打燃气公司抢修电话！\n已收到，工单号")


def test_an_emergency_without_a_place_is_told_whom_to_call_before_being_asked_where(chat, db):
    assert chat.say("resident-8", "电梯困了个人") == "情况紧急，请马上拨打 119！\n请问是哪个小区、几栋？告诉我地点就能马上派给对应网格。"
    n = ticket_number(chat.say("resident-8", "翠湖小区2栋"))
    assert get_ticket(db, n)["urgency"] == "紧急"


@pytest.mark.parametrize("text", ["广场花苑小区3栋的垃圾桶坏了", "龙西小区5栋门口防火通道被占", "芙蓉苑小区1栋楼道堆放杂物有火灾隐患"])
def test_an_ordinary_report_gets_no_call_advice(chat, text):
    reply = chat.say("resident-9", text)
    assert reply.startswith("已收到，工单号") and "拨打" not in reply



def test_a_street_light_at_the_estate_gate_asks_where(chat, db):
    assert chat.say("resident-6", "我家小区门口的路灯坏了").startswith("请问是哪个小区、几栋？")
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    ticket = get_ticket(db, ticket_number(chat.say("resident-6", "广场花苑小区3栋")))
    assert (ticket["place"], ticket["grid_id"], ticket["state"]) == ("广场花苑小区", "longxi-1", "routed")


def test_sending_ones_own_report_again_is_not_a_second_reporter(chat, db):
    n = ticket_number(chat.say("resident-16", "平东小区8栋门口的垃圾桶坏了"))
    again = chat.say("resident-16", "平东小区8栋门口垃圾桶坏了好几天")
    assert "您已经反映过" in again and f"工单 {n}" in again and "已有人反映" not in again
    assert get_ticket(db, n)["reporters"] == 1


def test_a_handlers_photo_sent_on_its_own_shows_the_work(chat, db):
    """WeChat sends a photo as a message of its own: before or after 「办结」, it is the ticket's result photo."""
    n = ticket_number(chat.say("resident-17", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("sec-longxi-1", f"接单 {n}")
    assert f"#{n}" in chat.say("sec-longxi-1", "", photos=["http://example.invalid/before.jpg"])
    chat.say("sec-longxi-1", f"办结 {n} 已更换新垃圾桶")
    assert "附处理照片" in chat.pushed("resident-17")[-1]
    assert f"#{n}" in chat.say("sec-longxi-1", "", photos=["http://example.invalid/after.jpg"])
    results = db.execute("SELECT count(*) FROM media WHERE ticket_id = ? AND purpose = 'result'", [n]).fetchone()[0]
    assert results == 2
    assert "处理照片 2 张" in chat.say("resident-17", f"进度 {n}")


def test_a_complete_report_while_another_waits_for_its_place_is_filed_on_its_own(chat, db):
    assert "哪个小区" in chat.say("resident-18", "电梯困人了")
    reply = chat.say("resident-18", "芙蓉苑小区6栋天然气漏了")
    ticket = get_ticket(db, ticket_number(reply))
    assert ticket["text"] == "芙蓉苑小区6栋天然气漏了"
    assert "电梯困人了" in reply and "还没说在哪里" in reply
    later = get_ticket(db, ticket_number(chat.say("resident-18", "翠湖小区2栋")))
    assert "电梯困人了" in later["text"] and later["place"] == "翠湖小区"


def test_thanks_after_naming_a_place_files_nothing_and_the_place_still_counts(chat, db):
    assert "什么问题" in chat.say("resident-19", "龙西小区5栋")
    chat.say("resident-19", "谢谢")
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    ticket = get_ticket(db, ticket_number(chat.say("resident-19", "楼道灯坏了好几天了")))
    assert (ticket["place"], ticket["building"]) == ("龙西小区", "5栋")


def test_words_with_a_location_after_a_photo_file_the_report(chat, db):
    chat.say("resident-20", "", photos=["http://example.invalid/p.jpg"])
    n = ticket_number(chat.say("resident-20", "路灯坏了", location=[29.7045, 116.0045]))
    assert db.execute("SELECT count(*) FROM media WHERE ticket_id = ?", [n]).fetchone()[0] == 1


def test_a_withdrawal_without_a_reason_reads_plainly(chat):
    n = ticket_number(chat.say("resident-21", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("resident-21", f"撤回 {n}")
    assert f"【撤回】工单 #{n} 已被反映人撤回，不用再办理了。" in chat.pushed("sec-longxi-1")
    assert "反映人撤回：反映人撤回" not in chat.say("resident-21", f"进度 {n}")
