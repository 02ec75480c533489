"""The guarded state machine through chat: 处理中, 转交, 驳回, 合并, 联席, each with its reason, the reporter told."""

from __future__ import annotations

import pytest

from dispatch import joint
from dispatch.states import ALLOWED, State, TransitionError, check_transition
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import events, ticket_number

LITTER = "广场花苑小区3栋的垃圾桶坏了"


def test_start_then_resolve_and_the_reporter_hears_each_step(chat, db):
    n = ticket_number(chat.say("r1", LITTER))
    assert "处理中" in chat.say("sec-longxi-1", f"处理中 {n} 已联系物业")
    t = get_ticket(db, n)
    assert (t["state"], t["claimed_by"]) == ("in_progress", "api:sec-longxi-1")   # starting claims it too
    told = chat.pushed("r1")
    assert any("正在处理" in m and "已联系物业" in m for m in told)
    chat.say("sec-longxi-1", f"办结 {n} 已更换")
    assert any("已办结" in m and "满意" in m for m in chat.pushed("r1"))
    status = chat.say("r1", f"进度 {n}")
    assert "已办结，待评价" in status and "处理结果：已更换" in status


def test_every_transition_carries_a_reason(chat, db):
    n = ticket_number(chat.say("r1", LITTER))
    chat.say("sec-longxi-1", f"接单 {n}")
    chat.say("sec-longxi-1", f"处理中 {n}")
    chat.say("sec-longxi-1", f"办结 {n}")
    chat.say("r1", "不满意")
    chat.say("sec-longxi-1", f"转交 {n} 区城管局 需要执法")
    moves = [e for e in events(db, n) if e["to_state"]]
    assert [e["to_state"] for e in moves] == ["received", "routed", "claimed", "in_progress", "resolved",
                                             "reopened", "transferred"]
    assert all(e["note"].strip() for e in moves), moves


def test_handler_transfers_to_a_department_grid_and_community_informed(chat, db):
    n = ticket_number(chat.say("r1", LITTER))
    chat.say("sec-longxi-1", f"接单 {n}")
    chat.pushed("dispatcher-longxi")
    reply = chat.say("sec-longxi-1", f"转交 {n} 城管局 占道需执法")
    assert "区城管局" in reply
    t = get_ticket(db, n)
    assert (t["state"], t["department_id"], t["handling"], t["claimed_by"]) == (
        "transferred", "chengguan", "transfer", None)
    assert any(f"接单 {n}" in m for m in chat.pushed("dept-chengguan"))
    assert any("知会" in m for m in chat.pushed("sec-longxi-1"))
    assert any("知会" in m for m in chat.pushed("dispatcher-longxi"))
    assert any("区城管局" in m for m in chat.pushed("r1"))
    assert "占道需执法" in events(db, n)[-2]["note"] or "占道需执法" in events(db, n)[-1]["note"]
    # now only the department may act on it
    assert "只有负责" in chat.say("sec-longxi-1", f"办结 {n} 好了")
    assert "已接单" in chat.say("dept-chengguan", f"接单 {n}")


def test_transfer_must_name_a_department(chat, db):
    n = ticket_number(chat.say("r1", LITTER))
    assert "部门" in chat.say("sec-longxi-1", f"转交 {n} longxi-2")
    assert get_ticket(db, n)["state"] == "routed"


def test_dispatcher_rejects_with_a_reason_and_the_reporter_is_told_politely(chat, db):
    n = ticket_number(chat.say("r1", LITTER))
    assert "理由" in chat.say("dispatcher-longxi", f"驳回 {n}")
    assert "调度员" in chat.say("sec-longxi-1", f"驳回 {n} 不归我们管")
    assert "已驳回" in chat.say("dispatcher-longxi", f"驳回 {n} 属于小区物业合同纠纷")
    t = get_ticket(db, n)
    assert t["state"] == "rejected"
    told = chat.pushed("r1")
    assert any("感谢您的反映" in m and "物业合同纠纷" in m for m in told)
    assert any("撤回" in m for m in chat.pushed("sec-longxi-1"))
    assert "不能这样操作" in chat.say("sec-longxi-1", f"接单 {n}")


def test_dispatcher_merges_a_duplicate_and_its_reporter_follows(chat, db):
    a = ticket_number(chat.say("r1", LITTER))
    b = ticket_number(chat.say("r2", "广场花苑小区3栋门口有个大坑积水"))
    assert f"并入 #{a}" in chat.say("dispatcher-longxi", f"合并 {b} 到 {a}")
    assert get_ticket(db, b)["state"] == "merged" and get_ticket(db, b)["merged_into"] == a
    assert get_ticket(db, a)["reporters"] == 2
    assert any("合并办理" in m for m in chat.pushed("r2"))
    chat.say("sec-longxi-1", f"办结 {a} 已处理")
    assert any("已办结" in m for m in chat.pushed("r2"))          # the follower hears the result too


def test_joint_meeting_by_command_and_automatically_after_two_departments(chat, db):
    n = ticket_number(chat.say("r1", "濂溪路的路灯不亮了"))     # to 路灯所 by rule
    chat.say("dept-ludeng", f"接单 {n}")
    chat.say("dept-ludeng", f"转交 {n} 区市政排水处 线路埋在路面下")
    assert any("联席会议" in m for m in chat.pushed("dispatcher-longxi"))
    items = joint.agenda(db, "longxi")
    assert [i["id"] for i in items] == [n] and items[0]["departments"] == ["ludeng", "shizheng"]

    m = ticket_number(chat.say("r2", "广场花苑小区3栋的垃圾桶坏了"))
    assert "调度员" in chat.say("sec-longxi-1", f"联席 {m}")
    assert "已列入联席会议" in chat.say("dispatcher-longxi", f"联席 {m} 涉及物业和城管")
    assert "已在联席会议" in chat.say("dispatcher-longxi", f"联席 {m}")
    listing = chat.say("dispatcher-longxi", "联席会议")
    assert f"#{n}" in listing and f"#{m}" in listing and "区城管局路灯维护所、区市政排水处" in listing
    assert "移出议题" in chat.say("dispatcher-longxi", f"议定 {m} 由物业牵头")
    assert f"#{m}" not in chat.say("dispatcher-longxi", "联席会议")
    assert chat.say("dispatcher-furong", "联席会议") == "目前没有待提交联席会议的工单。"


@pytest.mark.parametrize("current,wanted", [("closed", "reopened"), ("rejected", "routed"), ("merged", "claimed"),
                                            ("received", "claimed"), ("resolved", "claimed")])
def test_forbidden_transitions_raise(current, wanted):
    assert State(wanted) not in ALLOWED[State(current)]
    with pytest.raises(TransitionError):
        check_transition(1, current, wanted)
