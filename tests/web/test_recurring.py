"""高频问题: the same category at one place N times in M days shows on the dashboard, in the weekly summary and
in a daily notice; the dispatcher opens one 主动治理 ticket linking the reports, assigned to their grid."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from dispatch import digests, recurring
from dispatch.tickets import get_ticket
from tests.dispatch.conftest import ticket_number

TZ = ZoneInfo("Asia/Shanghai")
LITTER = ["广场花苑小区3栋的垃圾桶坏了", "广场花苑小区5栋门口垃圾没人清运", "广场花苑小区垃圾堆放发臭"]


def test_recurring_problem_to_one_governance_ticket(chat, dash, db, services):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
    ids = []
    for day, (person, text) in enumerate(zip(("r1", "r2", "r3"), LITTER)):
        with freeze_time(start + timedelta(days=10 * day)):            # days 0, 10, 20: inside 30 days
            ids.append(ticket_number(chat.say(person, text)))
    with freeze_time(start + timedelta(days=1)):
        ticket_number(chat.say("r4", "龙西小区5栋楼道灯不亮了"))        # once: not recurring
    now = start + timedelta(days=21)
    assert [(r.place, r.category, r.ticket_ids) for r in recurring.find(db, services.config, now)] == [
        ("广场花苑小区", "环境卫生", ids)]
    assert recurring.find(db, services.config, start + timedelta(days=33)) == []    # the first fell out of the window
    chat.pushed("dispatcher-longxi")
    assert recurring.notify_new(db, services.config, now) == 1
    recurring.notify_new(db, services.config, now + timedelta(days=1))              # told once per run of reports
    assert chat.pushed("dispatcher-longxi") == [
        "【高频问题】广场花苑小区的环境卫生问题 30 天内已反映 3 次。可在工作台「高频问题」立项主动治理，一次解决根源。"]
    summary = digests.community_week(db, services.config, "longxi", now)
    assert summary["recurring"] == [("广场花苑小区", "环境卫生", 3, None)]

    problem = recurring.open_governance(db, services.config, "longxi", "广场花苑小区", "环境卫生",
                                        "api:dispatcher-longxi", now)
    gov = get_ticket(db, problem.governance)
    assert (gov["intent"], gov["grid_id"], gov["state"], gov["category"]) == ("governance", "longxi-1", "routed",
                                                                                 "环境卫生")
    assert gov["text"] == (f"【主动治理】广场花苑小区环境卫生问题 30 天内反映 3 次（#{ids[0]}、#{ids[1]}、#{ids[2]}），"
                           "请从根源上解决。")
    assert any(gov["text"] in m for m in chat.pushed("sec-longxi-1"))                 # the grid is assigned it
    try:
        recurring.open_governance(db, services.config, "longxi", "广场花苑小区", "环境卫生", "api:dispatcher-longxi", now)
    except recurring.AlreadyGoverned as e:
        assert e.ticket_id == gov["id"]
    else:
        raise AssertionError("a second 主动治理 ticket for the same reports")
    assert digests.community_week(db, services.config, "longxi", now)["recurring"] == [
        ("广场花苑小区", "环境卫生", 3, gov["id"])]


def test_the_dashboard_lists_recurring_problems_and_opens_one_ticket(chat, dash, db):
    ids = [ticket_number(chat.say(person, text)) for person, text in zip(("r1", "r2", "r3"), LITTER)]
    html = dash.page("/dashboard/")
    assert "<tr><td>广场花苑小区</td><td>环境卫生</td><td>3</td><td>龙西社区第一网格党支部</td>" in html
    r = dash.post("/dashboard/recurring/open", community_id="longxi", place="广场花苑小区", category="环境卫生")
    assert r.status_code == 302
    gov = int(r.headers["Location"].rsplit("/", 1)[1])
    page = dash.page(f"/dashboard/tickets/{gov}")
    assert f"已立项主动治理，工单 #{gov}，关联 3 件反映。" in page
    assert f"<b>列入主动治理</b>" in dash.page(f"/dashboard/tickets/{ids[0]}")
    r = dash.post("/dashboard/recurring/open", community_id="longxi", place="龙西小区", category="物业服务")
    assert "这个地点和类别目前不算高频问题，无需立项。" in dash.page("/dashboard/")
