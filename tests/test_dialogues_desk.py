"""Whole conversations through the real app (/api/messages, /api/inbox), with the exact replies and pushes:
emergencies that reach everyone, the dispatcher's desk in chat, photos both ways, and words that do not
mislead (issue 12, items 5–8). The clock is frozen on a Thursday, 10:00 in Jiujiang."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from tests.channels.conftest import tiny_png
from tests.channels.test_webchat import demo_on, send, updates
from tests.conftest import API_KEY, build_app

PUSHED = None   # in a step, instead of a message: what the person was pushed since the last look


@pytest.fixture(autouse=True)
def thursday_morning():
    with freeze_time("2026-12-03 02:00:00"):     # 10:00 local
        yield


def verify_dialog(chat, steps: list[tuple[str, Any, Any]]) -> None:
    """(person, message, the exact reply), or (person, PUSHED, the exact pushes since the last look)."""
    for number, (who, said, expected) in enumerate(steps, 1):
        got = chat.pushed(who) if said is PUSHED else chat.say(who, said)
        assert got == expected, f"step {number}: {who} {'←' if said is PUSHED else '→ ' + said}"


def inbox(client, user: str) -> list[dict[str, Any]]:
    return client.get(f"/api/inbox?user=api:{user}", headers={"X-Api-Key": API_KEY}).get_json()["messages"]


# ---------------------------------------------------------------- emergencies (item 6)

GAS_ALERT = ("【紧急·燃气泄漏】工单 #1（龙西小区5栋）：龙西小区5栋闻到很重的煤气味\n"
             "已请反映人拨打 119，已通知十里燃气公司。请回复「收到 1」确认并跟进。")
GAS_INFORMED = "【知会】工单 #1（龙西小区5栋）已转交十里燃气公司办理，请协助跟进。\n龙西小区5栋闻到很重的煤气味"


def test_a_gas_leak_reaches_the_grid_the_dispatcher_and_the_leader_at_once_and_is_confirmed(chat):
    verify_dialog(chat, [
        ("resident-1", "龙西小区5栋闻到很重的煤气味",
         "情况紧急，请马上拨打 119，也可以打燃气公司抢修电话 0792-8213119！\n"
         "请马上开窗通风，不要开关电器、不要用明火和手机，关掉燃气总阀，离开房间到室外再打电话。\n"
         "已收到，工单号 1，已转交十里燃气公司处理，预计 12月03日 14:00 前办结。回复「进度 1」可随时查看。"),
        ("sec-longxi-2", PUSHED, [GAS_INFORMED, GAS_ALERT]),     # the gas company acts; the grid is told at once
        ("dispatcher-longxi", PUSHED, [GAS_INFORMED, GAS_ALERT]),
        ("leader", PUSHED, [GAS_ALERT]),
        ("dispatcher-furong", PUSHED, []),                       # another community hears nothing
        ("dispatcher-longxi", "收到 1", "已确认紧急工单 #1，反映人和网格会收到通知。请跟进处置情况。"),
        ("resident-1", PUSHED, ["龙西社区调度员已收到您反映的紧急情况（工单 1），正在联系处置。请注意安全。"]),
        ("sec-longxi-2", PUSHED, ["【已确认】紧急工单 #1 已由龙西社区调度员确认跟进。"]),
        ("leader", PUSHED, ["【已确认】紧急工单 #1 已由龙西社区调度员确认跟进。"]),
        ("dispatcher-longxi", "收到 1", "紧急工单 #1 已经有人确认过了，请继续跟进。"),
        ("resident-1", "收到 1", "这个命令是给网格和社区工作人员用的。如果您是工作人员，请先发「绑定 邀请码」。"),
    ])


@pytest.mark.parametrize("message, first_lines", [
    ("芙蓉苑小区3栋着火了，好大的烟", "情况紧急，请马上拨打 119！\n"
     "请马上离开，用湿毛巾捂住口鼻、弯腰走楼梯，不要坐电梯，不要返回取东西；火小时可用灭火器。"),
    ("龙西小区5栋电梯困人了，有人被困在里面", "情况紧急，请马上拨打 119！\n"
     "请保持冷静，待在原地，不要扒门或强行出来；电梯里按警铃、拨打轿厢里的救援电话。"),
    ("广场花苑小区门口有个老人摔倒了在流血", "情况紧急，请马上拨打 120！\n"
     "请不要随意搬动伤者，止血、保暖，留在身边等救护车；头部受伤或昏迷的尤其不要挪动。"),
    ("平东小区6栋楼顶有人要跳楼", "情况紧急，请马上拨打 110！\n"
     "请尽量陪在他（她）身边，不要留下一个人，收好危险物品，说话温和，等警察到。"),
])
def test_each_kind_of_emergency_says_whom_to_call_and_what_to_do_meanwhile(chat, message, first_lines):
    reply = chat.say("resident-2", message)
    assert reply.split("\n")[:2] == first_lines.split("\n")
    assert "工单号" in reply.split("\n")[2]


def test_a_quiet_report_is_no_emergency_to_confirm(chat):
    verify_dialog(chat, [
        ("rider-1", "广场花苑小区3栋的垃圾桶坏了",
         "已收到，工单号 1，已派给龙西社区第一网格党支部处理，预计 12月04日 10:00 前办结。回复「进度 1」可随时查看。"),
        ("dispatcher-longxi", PUSHED, []),
        ("dispatcher-longxi", "收到 1", "这张工单不是紧急工单，不用确认；请「待办」查看要处理的。"),
    ])


# ---------------------------------------------------------------- the dispatcher's desk (item 7)


def test_the_dispatcher_sees_the_queue_answers_a_question_and_keeps_the_answer(chat):
    verify_dialog(chat, [
        ("dispatcher-longxi", "待办", "您手上暂时没有待办工单 👍"),
        ("resident-4", "请问社区办公室周六上班吗", "这个问题我还答不上来，已转给社区工作人员，会尽快回复您。"),
        ("resident-5", "转人工", "好的，已请社区工作人员联系您，请稍等。着急的事也可以直接说说是什么情况。"),
        ("dispatcher-longxi", "待办", "您的待办 2 件：\n【待答复问题（转人工） 2 件】\n#1 请问社区办公室周六上班吗\n#2 转人工\n"
                                      "回复「答复 编号 内容」处理。"),
        ("dispatcher-longxi", "答复 1", "请写上答复内容，比如「答复 12 带身份证到社区服务中心一楼办理」。"),
        ("dispatcher-longxi", "答复 1 周六上午9点到12点有人值班",
         "已答复工单 #1，答复已发给提问的居民。回复「入库 1」可把这条问答存进知识库，下次有人问就自动回答。"),
        ("resident-4", PUSHED, ["您问的问题（工单 1），社区答复：周六上午9点到12点有人值班\n还有不清楚的，直接再问我。"]),
        ("dispatcher-longxi", "答复 1 再说一遍",
         "工单 #1 当前「已答复」，不在待答复的队列里，不能再答复。"),
        ("dispatcher-longxi", "入库 2", "工单 #2 还没有人答复，先「答复 2 内容」，再存进知识库。"),
        ("dispatcher-longxi", "入库 1", "已把工单 #1 的问答存进知识库，下次有人问类似的问题会自动回答。"),
        ("dispatcher-longxi", "入库 1", "工单 #1 的答复已经在知识库里了。"),
        ("resident-6", "周六社区办公室有人上班吗",
         "关于「请问社区办公室周六上班吗」，一次说清：\n· 温馨提示：周六上午9点到12点有人值班"),
        ("sec-longxi-1", "答复 2 好的", "这个操作需要社区调度员来做。"),
        ("dispatcher-longxi", "待办", "您的待办 1 件：\n【待答复问题（转人工） 1 件】\n#2 转人工\n回复「答复 编号 内容」处理。"),
    ])


def test_a_grid_sends_a_junk_ticket_back_and_the_dispatcher_sees_it_in_the_queue(chat):
    verify_dialog(chat, [
        ("rider-2", "广场花苑小区3栋的垃圾桶坏了",
         "已收到，工单号 1，已派给龙西社区第一网格党支部处理，预计 12月04日 10:00 前办结。回复「进度 1」可随时查看。"),
        ("sec-longxi-2", "退回审核 1 不是我们网格的", "抱歉，这个操作只有负责该工单的网格或部门可以办理。"),
        ("sec-longxi-1", "退回审核 1", "请写上退回审核的理由，比如「退回审核 12 重复反映，已在 10 号工单办理」。"),
        ("sec-longxi-1", "接单 1", "已接单 #1。办好后回复「办结 1 处理说明」，可以附上照片。"),
        ("sec-longxi-1", "退回审核 1 现场看过，垃圾桶是好的", "工单 #1 已退回社区审核，理由已转告社区调度员。"),
        ("dispatcher-longxi", PUSHED, ["【待审核】工单 #1（广场花苑小区3栋）：广场花苑小区3栋的垃圾桶坏了\n"
                                       "原因：龙西一网格王书记退回：现场看过，垃圾桶是好的\n"
                                       "回复「派单 1 网格编号」指派，或在工作台处理。"]),
        ("dispatcher-longxi", "待办", "您的待办 1 件：\n【待审核派单 1 件】\n#1 广场花苑小区3栋的垃圾桶坏了\n"
                                      "回复「派单 编号 网格或部门」「驳回 编号 理由」处理。"),
        ("dispatcher-longxi", "驳回 1 现场核实垃圾桶完好", "工单 #1 已驳回，已把理由转告反映人。"),
        ("rider-2", PUSHED, ["您反映的问题（工单 1）已由龙西一网格王书记接单，正在处理。",
                             "感谢您的反映！工单 1 社区没有受理，原因是：现场核实垃圾桶完好。"
                             "如果问题还在，补充清楚地点或情况后可以重新反映，有疑问请发「转人工」。"]),
    ])


# ---------------------------------------------------------------- photos both ways (item 5)


def test_the_handler_gets_the_reporters_photo_and_the_reporter_the_result_photo(chat, client):
    verify_dialog(chat, [
        ("rider-3", "广场花苑小区3栋的垃圾桶坏了",
         "已收到，工单号 1，已派给龙西社区第一网格党支部处理，预计 12月04日 10:00 前办结。回复「进度 1」可随时查看。"),
    ])
    chat.say("sec-longxi-1", "接单 1")
    assert chat.say("sec-longxi-1", "", photos=["https://img.example/new-bin.jpg"]) == \
        "照片已加到工单 #1 的处理结果，办好后回复「办结 1 处理说明」。"
    assert chat.say("sec-longxi-1", "办结 1 已更换新垃圾桶") == "工单 #1 已办结，已通知反映人评价。辛苦了！"
    done = inbox(client, "rider-3")[-1]
    assert (done["body"], done["photos"]) == (
        "您反映的问题（工单 1）已办结（附处理照片）：已更换新垃圾桶\n"
        "问题解决了吗？满意吗？请回复如「已解决 满意」或「未解决 不满意」，帮助我们做得更好。", ["https://img.example/new-bin.jpg"])
    chat.say("sec-longxi-1", "", photos=["https://img.example/far.jpg"])     # one more, after 办结
    late = inbox(client, "rider-3")[-1]
    assert (late["body"], late["photos"]) == ("工单 1 的处理照片，请看看办得怎么样。", ["https://img.example/far.jpg"])


def test_a_report_with_its_photo_reaches_whoever_acts_on_it_with_the_photo(chat, client):
    chat.say("rider-4", "广场花苑小区3栋的垃圾桶坏了", photos=["https://img.example/bin.jpg"])
    [push] = inbox(client, "sec-longxi-1")
    assert push["photos"] == ["https://img.example/bin.jpg"]
    chat.say("rider-4", "芙蓉苑小区那边有点情况", photos=["https://img.example/what.jpg"])    # unsure: to review
    [review] = inbox(client, "dispatcher-furong")
    assert review["body"].startswith("【待审核】工单 #2") and review["photos"] == ["https://img.example/what.jpg"]


# ---------------------------------------------------------------- words that do not mislead (item 8)


def test_a_withdrawn_report_reads_as_withdrawn_everywhere(chat):
    verify_dialog(chat, [
        ("rider-5", "广场花苑小区3栋的垃圾桶坏了",
         "已收到，工单号 1，已派给龙西社区第一网格党支部处理，预计 12月04日 10:00 前办结。回复「进度 1」可随时查看。"),
        ("rider-5", "积分", "您的志愿服务积分：10 分\n最近：\n· +10 有效反映 #1\n"
                            "可兑换：雨衣(100分)、充电宝(200分)、洗车券(50分)、爱心餐(30分)，发「兑换 物品名」即可。"),
        ("rider-5", "撤回 1 已经修好了", "好的，工单 1 已撤回，网格那边不用再跑一趟了。谢谢告知！"),
        ("rider-5", "我的工单", "您的工单：\n#1 已撤回｜广场花苑小区3栋的垃圾桶坏了\n回复「进度 编号」看详情。"),
        ("rider-5", "积分", "您的志愿服务积分：0 分\n最近：\n· -10 工单 #1 已撤回，收回积分\n· +10 有效反映 #1\n"
                            "可兑换：雨衣(100分)、充电宝(200分)、洗车券(50分)、爱心餐(30分)，发「兑换 物品名」即可。"),
    ])


def test_transfer_without_a_department_asks_which_and_dispatch_offers_only_ones_own_grids(chat):
    verify_dialog(chat, [
        ("resident-8", "转人工", "好的，已请社区工作人员联系您，请稍等。着急的事也可以直接说说是什么情况。"),
        ("dispatcher-longxi", "转交 25", "没有找到工单 25，请核对编号；发「我的工单」看看您的工单。"),
        ("dispatcher-longxi", "派单 1",
         "工单 #1 要派给哪个网格或部门？比如「派单 1 龙西一网格」。可选：龙西一网格、龙西二网格、龙西三网格、区城管局、"
         "区城管局路灯维护所、区住建局、十里燃气公司、区市政排水处、区园林所、十里街道司法所、区消防救援大队、区民政局。"),
        ("dispatcher-longxi", "派单 1 第一网格", "工单 #1 已派给龙西社区第一网格党支部，已通知对方。"),
        ("sec-longxi-1", "转交 1",
         "工单 #1 要转交给哪个部门？比如「转交 1 区城管局」。可选：区城管局、区城管局路灯维护所、区住建局、十里燃气公司、区市政排水处、"
         "区园林所、十里街道司法所、区消防救援大队、区民政局。"),
    ])


def test_the_review_push_says_why_in_words_not_a_model_score(chat):
    chat.say("resident-9", "芙蓉苑小区那边有点情况")
    pushes = chat.pushed("dispatcher-furong")
    assert pushes and all("置信度" not in p for p in pushes)


# ---------------------------------------------------------------- the riders' group and /chat


def test_a_fire_told_in_the_riders_group_reaches_the_community_at_once(chat, client):
    r = client.post("/api/groups/messages", headers={"X-Api-Key": API_KEY},
                    json={"group": "fengchao", "sender": "rider-6", "name": "小周", "text": "芙蓉苑小区3栋着火了，好大的烟"})
    body = r.get_json()
    assert body["ticket"] == 1
    assert ("情况紧急，请马上拨打 119！\n请马上离开，用湿毛巾捂住口鼻、弯腰走楼梯，不要坐电梯，不要返回取东西；"
            "火小时可用灭火器。\n已收到，工单号 1，") in body["reply"]      # (how the group names the sender is the group's)
    alert = ("【紧急·火情】工单 #1（芙蓉苑小区3栋）：芙蓉苑小区3栋着火了，好大的烟\n"
             "已请反映人拨打 119，已通知芙蓉社区第二网格党支部。请回复「收到 1」确认并跟进。")
    verify_dialog(chat, [
        ("dispatcher-furong", PUSHED, [alert]),
        ("leader", PUSHED, [alert]),
        ("dispatcher-furong", "收到 1", "已确认紧急工单 #1，反映人和网格会收到通知。请跟进处置情况。"),
    ])


def test_the_chat_shows_the_photo_a_push_carries(services):
    web = build_app(demo_on(services)).test_client()
    png = tiny_png(12, 12)
    assert "工单号" in send(web, "rider-li", "广场花苑小区3栋的垃圾桶坏了", photo=png).get_json()["reply"]
    [push] = updates(web, "sec-longxi-1")["pushes"]
    assert push["photos"][0].startswith("/chat/media/") and web.get(push["photos"][0]).data == png
