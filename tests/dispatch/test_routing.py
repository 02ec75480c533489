"""Routing by place, category and authority, and the dispatcher's 派单 / 改派 by chat."""

from __future__ import annotations

import pytest

import wording
from dispatch.routing import UnknownTarget, resolve_target
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import events, ticket_number


def test_a_building_number_picks_the_grid_of_a_split_estate(chat, db):
    low = ticket_number(chat.say("r1", "龙西小区5栋楼道堆满杂物"))
    high = ticket_number(chat.say("r2", "龙西小区20栋楼道堆满杂物"))
    assert get_ticket(db, low)["grid_id"] == "longxi-2"
    assert get_ticket(db, high)["grid_id"] == "longxi-3"
    assert "属于该网格" in events(db, low)[1]["note"]


def test_a_split_estate_without_a_building_goes_to_its_dispatcher_not_to_a_guessed_grid(chat, db):
    n = ticket_number(chat.say("r3", "龙西小区的路灯坏了"))
    ticket = get_ticket(db, n)
    assert (ticket["state"], ticket["grid_id"], ticket["community_id"]) == ("received", None, "longxi")
    assert any(f"派单 {n}" in m for m in chat.pushed("dispatcher-longxi"))
    assert not any(f"#{n}" in m for m in chat.pushed("sec-longxi-2"))


def test_a_shared_location_goes_to_the_grid_whose_area_contains_it(chat, db):
    reply = chat.say("r1", "这里的垃圾桶坏了好几天了", location=[29.7035, 116.0150])
    n = ticket_number(reply)
    assert get_ticket(db, n)["grid_id"] == "longxi-2"
    assert "位置在网格范围内" in events(db, n)[1]["note"]


def test_a_location_outside_every_area_goes_to_the_nearest_place(chat, db):
    n = ticket_number(chat.say("r1", "这里的垃圾桶坏了好几天了", location=[29.6990, 116.0041]))
    assert get_ticket(db, n)["grid_id"] == "longxi-1"
    assert "最近" in events(db, n)[1]["note"]


def test_a_location_without_a_label_is_named_by_the_place_beside_it(chat, db):
    chat.say("r1", "", location=[29.7045, 116.0045])
    n = ticket_number(chat.say("r1", "这里路灯不亮"))
    [push] = chat.pushed("sec-longxi-1")
    assert push.startswith(f"【新工单】#{n} 基础设施维护｜广场花苑小区附近")
    assert "地点：广场花苑小区附近" in chat.say("r1", f"进度 {n}")


def test_a_street_light_on_a_road_goes_to_its_department_with_the_reason(chat, db):
    n = ticket_number(chat.say("r1", "濂溪路的路灯不亮了"))
    t = get_ticket(db, n)
    assert (t["state"], t["department_id"], t["grid_id"]) == ("transferred", "ludeng", "longxi-2")
    assert "「路灯」属区城管局路灯维护所职责" in events(db, n)[1]["note"]
    assert any("接单" in m for m in chat.pushed("dept-ludeng"))
    assert any("知会" in m for m in chat.pushed("sec-longxi-2"))
    assert any("知会" in m for m in chat.pushed("dispatcher-longxi"))


def test_a_group_report_without_a_place_goes_to_the_dispatchers_queue(chat, db):
    reply = chat.say("r1", "垃圾桶坏了好几天没人管", chat="fengchao")
    n = ticket_number(reply)
    t = get_ticket(db, n)
    assert (t["state"], t["grid_id"]) == ("received", None)
    assert "转社区审核" in events(db, n)[-1]["note"]
    assert any(f"派单 {n}" in m for m in chat.pushed("dispatcher-longxi"))


def test_dispatcher_assigns_a_review_ticket_by_grid_name_and_the_reporter_is_told(chat, db, services):
    from dispatch.routing import Route
    from dispatch.tickets import create_ticket
    from dispatch.clock import utcnow
    from dispatch.users import ensure_user

    parse = services.engine.parse("有个东西坏了不知道找谁")
    ensure_user(db, "api:r9", utcnow())
    created = create_ticket(db, services.config, "api:r9", parse,
                            Route("self", "其他", "longxi", None, None, True, "未能确定网格，转社区审核"), utcnow())
    n = created.ticket["id"]
    assert any(f"派单 {n}" in m for m in chat.pushed("dispatcher-longxi"))
    reply = chat.say("dispatcher-longxi", f"派单 {n} 龙西社区第三网格党支部")
    assert "龙西社区第三网格党支部" in reply
    t = get_ticket(db, n)
    assert (t["state"], t["grid_id"], t["handling"]) == ("routed", "longxi-3", "self")
    assert any(f"接单 {n}" in m for m in chat.pushed("sec-longxi-3"))
    assert any("龙西社区第三网格党支部" in m for m in chat.pushed("r9"))
    assert "社区指派" in events(db, n)[-1]["note"]


def test_reassign_changes_grid_then_handling_type(chat, db):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("sec-longxi-1", f"接单 {n}")
    assert "龙西社区第二网格党支部" in chat.say("dispatcher-longxi", f"改派 {n} longxi-2 不在一网格")
    assert any("改派" in m and "第二网格" in m for m in chat.pushed("sec-longxi-1"))
    assert any(f"接单 {n}" in m for m in chat.pushed("sec-longxi-2"))
    t = get_ticket(db, n)
    assert (t["grid_id"], t["department_id"], t["state"]) == ("longxi-2", None, "routed")
    assert "不在一网格" in events(db, n)[-1]["note"]

    assert "路灯维护所" in chat.say("dispatcher-longxi", f"派单 {n} ludeng")
    t = get_ticket(db, n)
    assert (t["handling"], t["department_id"], t["state"]) == ("transfer", "ludeng", "transferred")

    assert "龙西社区第二网格党支部" in chat.say("dispatcher-longxi", f"派单 {n} 自办")
    t = get_ticket(db, n)
    assert (t["handling"], t["department_id"]) == ("self", None)


def test_only_dispatchers_reassign_and_unknown_targets_are_explained(chat, db):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    assert "调度员" in chat.say("sec-longxi-1", f"派单 {n} longxi-2")
    assert "工作人员" in chat.say("r1", f"派单 {n} longxi-2")
    assert "多个" in chat.say("dispatcher-longxi", f"派单 {n} 所")
    assert "没找到" in chat.say("dispatcher-longxi", f"派单 {n} 火星")
    assert get_ticket(db, n)["grid_id"] == "longxi-1"


@pytest.mark.parametrize("target,expected", [
    ("longxi-2", ("longxi-2", None)), ("LUDENG", (None, "ludeng")), ("龙西社区第二网格党支部", ("longxi-2", None)),
    ("龙西第二网格", ("longxi-2", None)), ("路灯维护所", (None, "ludeng")), ("区城管局", (None, "chengguan")),
    ("自办", (None, None)), ("城管", (None, "chengguan")), ("路灯所", (None, "ludeng")), ("市政", (None, "shizheng")),
    ("龙西二网格", ("longxi-2", None)),
])
def test_targets_by_id_name_or_part_of_a_name(services, target, expected):
    assert resolve_target(services.config.deployment, target) == expected


def test_a_short_grid_name_prefers_the_dispatchers_own_community(services):
    d = services.config.deployment
    with pytest.raises(UnknownTarget):
        resolve_target(d, "第二网格")
    assert resolve_target(d, "第二网格", "furong") == ("furong-2", None)


def test_the_demo_counts_disputes_in_working_days(chat, db):
    n = ticket_number(chat.say("r1", "龙西小区5栋邻居天天吵架扰民"))
    t = get_ticket(db, n)
    assert (t["category"], t["deadline_unit"]) == ("矛盾纠纷", "work_days")
    assert "5 个工作日" in events(db, n)[1]["note"]


def test_a_ticket_waiting_in_review_reminds_the_dispatchers_once(chat, db, services):
    from datetime import timedelta

    from dispatch import deadlines
    from dispatch.clock import parse_iso

    n = ticket_number(chat.say("r1", "垃圾桶坏了好几天没人管", chat="fengchao"))
    created = parse_iso(get_ticket(db, n)["created_at"])
    chat.pushed("dispatcher-longxi")
    assert deadlines.scan(db, services.config, created + timedelta(minutes=30))["reminded"] == 0
    week = created + timedelta(days=7)                     # past 2 working hours whatever the weekday
    assert deadlines.scan(db, services.config, week)["reminded"] == 1
    assert deadlines.scan(db, services.config, week + timedelta(hours=1))["reminded"] == 0
    [reminder] = chat.pushed("dispatcher-longxi")
    assert "待审核提醒" in reminder and f"派单 {n}" in reminder


@pytest.mark.parametrize("text", ["哪家的外卖好吃", "兄弟们，芙蓉路那边堵车了，绕着走", "兄弟们下雨了注意安全"])
def test_chatter_in_the_riders_group_files_no_ticket(chat, db, text):
    assert chat.say("r4", text, chat="fengchao") == ""
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
    assert chat.pushed("dispatcher-furong") == [] and chat.pushed("sec-furong-1") == []


def test_a_location_far_from_every_place_goes_to_a_dispatcher(chat, db):
    n = ticket_number(chat.say("r5", "这里的垃圾桶坏了好几天了", location=[39.9042, 116.4074]))   # Beijing
    assert (get_ticket(db, n)["state"], get_ticket(db, n)["grid_id"]) == ("received", None)
    assert "转社区审核" in events(db, n)[-1]["note"]
    assert any(f"#{n}（位置：39.9042, 116.4074）" in m for m in chat.pushed("dispatcher-longxi"))


def test_dispatching_again_to_the_same_grid_keeps_the_work_in_hand(chat, db):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("sec-longxi-1", f"处理中 {n} 已上门查看")
    assert "不用重复派单" in chat.say("dispatcher-longxi", f"派单 {n} longxi-1")
    t = get_ticket(db, n)
    assert (t["state"], t["claimed_by"]) == ("in_progress", "api:sec-longxi-1")


def test_a_transfer_keeps_the_grid_informed_without_telling_it_to_stop(chat):
    n = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("dispatcher-longxi", f"派单 {n} 路灯所")
    told = [m for m in chat.pushed("sec-longxi-1") if f"#{n}" in m]
    assert any("知会" in m for m in told) and not any("不用再跟进" in m for m in told)


def test_the_handler_of_a_merged_ticket_is_told(chat):
    first = ticket_number(chat.say("r1", "广场花苑小区3栋的垃圾桶坏了"))
    second = ticket_number(chat.say("r2", "广场花苑小区3栋楼道灯不亮"))
    chat.say("sec-longxi-1", f"接单 {second}")
    chat.say("dispatcher-longxi", f"合并 {second} 到 {first}")
    assert any(m.startswith(f"【合并】工单 #{second}") for m in chat.pushed("sec-longxi-1"))


def test_a_department_sends_a_wrong_transfer_back_to_the_grid_with_its_reason(chat, db):
    n = ticket_number(chat.say("r6", "广场花苑小区3栋的垃圾桶坏了"))
    chat.say("dispatcher-longxi", f"派单 {n} 路灯所")
    assert "理由" in chat.say("dept-ludeng", f"退回 {n}")
    assert "已退回" in chat.say("dept-ludeng", f"退回 {n} 小区内部的事，归物业管")
    t = get_ticket(db, n)
    assert (t["state"], t["grid_id"], t["department_id"]) == ("routed", "longxi-1", None)
    assert any("【退回】" in m and "归物业管" in m for m in chat.pushed("sec-longxi-1"))
    assert chat.say("dept-shizheng", f"退回 {n} 不归我们") == wording.no_such_ticket(n)   # not theirs to see


def test_an_emergency_waiting_in_review_is_marked_and_reminded_within_minutes(chat, db, services):
    from datetime import timedelta

    from dispatch import deadlines
    from dispatch.clock import parse_iso

    n = ticket_number(chat.say("r8", "龙西小区着火了"))            # a split 小区: the dispatcher must choose
    assert any(m.startswith(f"【紧急·待审核】工单 #{n}") for m in chat.pushed("dispatcher-longxi"))
    created = parse_iso(get_ticket(db, n)["created_at"])
    assert deadlines.scan(db, services.config, created + timedelta(minutes=10))["reminded"] == 0
    assert deadlines.scan(db, services.config, created + timedelta(minutes=16))["reminded"] == 1
    [reminder] = chat.pushed("dispatcher-longxi")
    assert reminder.startswith(f"【紧急·待审核提醒】工单 #{n}")


def test_two_moves_in_the_same_second_both_tell_the_reporter(chat, db, services):
    from dispatch import tickets
    from dispatch.clock import utcnow
    from dispatch.users import get_user

    n = ticket_number(chat.say("r9", "广场花苑小区3栋的垃圾桶坏了"))
    now, dispatcher = utcnow(), get_user(db, "api:dispatcher-longxi")
    tickets.reassign(db, services.config, n, dispatcher, "路灯所", now)
    tickets.reassign(db, services.config, n, dispatcher, "longxi-1", now)
    told = [m for m in chat.pushed("r9") if "交给" in m]
    assert len(told) == 2 and "路灯维护所" in told[0] and "第一网格" in told[1]


def test_staff_refusals_say_what_to_do_instead(chat):
    n = ticket_number(chat.say("r10", "广场花苑小区3栋的垃圾桶坏了"))
    assert "部门用的" in chat.say("sec-longxi-1", f"退回 {n} 不归我们管")
    chat.say("sec-longxi-1", f"处理中 {n}")
    assert "已经在处理中" in chat.say("sec-longxi-1", f"处理中 {n}")


def test_a_group_message_never_answers_a_question_asked_in_private(chat, db):
    assert "哪个小区" in chat.say("r11", "垃圾桶坏了")
    chat.say("r11", "龙西小区5栋楼道灯不亮了", chat="fengchao")
    texts = [r[0] for r in db.execute("SELECT text FROM tickets ORDER BY id")]
    assert texts == ["龙西小区5栋楼道灯不亮了"]


def test_a_matter_whose_likely_kinds_all_stay_with_the_grid_goes_there_without_review(chat, db):
    """楼道灯 is 物业服务, 基础设施维护 or 安全隐患 by turns; each is the grid's own, so nobody needs to decide."""
    n = ticket_number(chat.say("r1", "龙西小区2栋楼道的灯不亮了"))
    assert get_ticket(db, n)["grid_id"] == "longxi-2"
    assert get_ticket(db, n)["state"] != "received"
    assert any(f"#{n}" in m for m in chat.pushed("sec-longxi-2"))
    assert not any("看不准" in e["note"] for e in events(db, n))


def test_a_report_split_between_the_grid_and_a_department_goes_to_review(services):
    from dataclasses import replace

    from dispatch.routing import route
    from nlu.types import Entities, Parse
    deployment = services.config.deployment
    estate = Entities(community="longxi", place="平东小区", place_kind="estate", building="3栋")
    sure = Parse("…", "report", "物业服务", "一般", 0.35, estate, intent_confidence=0.9,
                 category_odds={"物业服务": 0.35, "基础设施维护": 0.33, "安全隐患": 0.3})
    torn = replace(sure, category_odds={"物业服务": 0.35, "市容秩序": 0.34, "安全隐患": 0.05})
    unsure_report = replace(sure, intent_confidence=0.4)
    assert not route(sure, deployment, 0.45).needs_review
    assert route(torn, deployment, 0.45).needs_review
    assert route(unsure_report, deployment, 0.45).needs_review


@pytest.mark.parametrize("text", ["芙蓉苑小区的网格员说好来看又不来，太敷衍了", "平东小区3栋网格长态度恶劣，骂人",
                                  "我要投诉东湖小区的社区工作人员推诿扯皮"])
def test_a_complaint_about_the_staff_goes_to_the_community_not_to_the_grid_it_names(chat, db, text):
    n = ticket_number(chat.say("r1", text))
    ticket = get_ticket(db, n)
    assert (ticket["state"], ticket["grid_id"]) == ("received", None)
    assert "不派给被投诉的人" in events(db, n)[1]["note"]
    assert not any(f"#{n}" in m for grid in ("sec-furong-2", "sec-pingdong-1", "sec-pingdong-3")
                   for m in chat.pushed(grid))


def test_a_complaint_about_the_property_company_stays_with_the_grid(chat, db):
    n = ticket_number(chat.say("r1", "平东小区物业工作人员态度很差，电梯坏了也不来修"))
    assert get_ticket(db, n)["grid_id"] == "pingdong-1"
