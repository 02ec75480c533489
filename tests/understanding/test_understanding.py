"""What the bot understands: (utterance, intent) and (utterance, category, handling, where it goes)."""

from __future__ import annotations

import pytest

from bot.cli import triage_record

INTENTS = [
    ("你好", "greeting"),
    ("在吗", "greeting"),
    ("您好，请问有人在吗", "greeting"),
    ("谢谢", "chitchat"),
    ("好的，辛苦了", "chitchat"),
    ("老年出行卡怎么办？", "question"),
    ("请问低保需要带什么材料", "question"),
    ("居住证在哪里办", "question"),
    ("我的工单", "my_tickets"),
    ("我反映过哪些问题", "my_tickets"),
    ("我报的事怎么样了", "my_tickets"),         # no number: the list of their tickets
    ("进度 12", "status"),
    ("12号处理到哪一步了", "status"),
    ("接单 12", "claim"),
    ("23号单我接了", "claim"),
    ("办结 12 已更换", "resolve"),
    ("8号已经修好了", "resolve"),
    ("转交 12 城管", "transfer"),
    ("15号不归我们管，转交市政", "transfer"),
    ("满意", "rate"),
    ("处理得很好，满意", "rate"),
    ("积分", "points"),
    ("我有多少积分", "points"),
    ("排行榜", "leaderboard"),
    ("谁的积分最多", "leaderboard"),
    ("帮助", "help"),
    ("你能做什么", "help"),
    ("广场花苑小区3栋的垃圾桶坏了", "report"),
    ("楼道里有人给电动车充电", "report"),
    ("森工大厦小区2栋电梯坏了", "report"),
]


@pytest.mark.parametrize("utterance, intent", INTENTS)
def test_intent(engine, utterance, intent):
    assert engine.parse(utterance).intent == intent


@pytest.mark.parametrize("utterance, ticket", [("1号工单进度", 1), ("查一下2号", 2), ("12", 12)])
def test_an_unsure_staff_action_only_looks_at_the_ticket(engine, utterance, ticket):
    """Read as 接单/办结 these would change a ticket when a grid secretary only asked about it."""
    parse = engine.parse(utterance)
    assert (parse.intent, parse.args) == ("status", {"ticket": ticket})


@pytest.mark.parametrize("utterance, ticket", [("23号单我接了", 23), ("8号已经修好了", 8), ("进度 12", 12)])
def test_ticket_number_is_read_from_free_text(engine, utterance, ticket):
    assert engine.parse(utterance).args["ticket"] == ticket


@pytest.mark.parametrize("utterance, value, ticket, note", [
    ("满意", "满意", None, None),
    ("非常满意", "满意", None, None),
    ("不满意，根本没换", "不满意", None, "根本没换"),                 # no stray comma before the comment
    ("不满意 2", "不满意", 2, None),
    ("2号不满意", "不满意", 2, None),
    ("1 不满意 灯还是不亮", "不满意", 1, "灯还是不亮"),
    ("工单1不满意，灯还是不亮", "不满意", 1, "灯还是不亮"),
    ("#1 满意", "满意", 1, None),
    ("对1号工单不满意", "不满意", 1, None),
    ("不满意 工单3 根本没人来", "不满意", 3, "根本没人来"),
    ("灯还是不亮，1号工单不满意", "不满意", 1, "灯还是不亮"),
    ("基本满意 #3 还行", "基本满意", 3, "还行"),
    ("不满意 3栋还是脏", "不满意", None, "3栋还是脏"),                # 3栋 is a building, not ticket 3
])
def test_a_rating_reads_its_ticket_and_comment_in_any_order(engine, utterance, value, ticket, note):
    parse = engine.parse(utterance)
    assert parse.intent == "rate"
    assert (parse.args["value"], parse.args.get("ticket"), parse.args.get("note")) == (value, ticket, note)


@pytest.mark.parametrize("utterance", ["1号楼不满意物业，楼道灯坏了好久", "翠湖小区2栋楼道灯不亮", "接单 1",
                                       "办结 1 居民很满意", "工单 1"])
def test_a_building_number_or_a_staff_command_is_not_a_rating(engine, utterance):
    assert engine.parse(utterance).intent != "rate"


# The example sentences of the source articles, and what 三单 does with each.
TRIAGE = [
    # (utterance, category, handling, grid, department)
    ("广场花苑小区3栋的垃圾桶坏了", "环境卫生", "self", "longxi-1", None),
    ("龙西小区12栋门口的窨井盖破损了", "基础设施维护", "transfer", "longxi-2", "shizheng"),
    ("龙西小区25栋的窨井盖破损", "基础设施维护", "transfer", "longxi-3", "shizheng"),  # split 小区: by building
    ("龙西幼儿园后面的下水道堵塞了", "基础设施维护", "transfer", "longxi-1", "shizheng"),
    ("濂溪路实验小学对面的路灯不亮了", "基础设施维护", "transfer", "longxi-2", "ludeng"),
    ("芙蓉苑小区6栋楼道里好多电动车在充电", "安全隐患", "self", "furong-2", None),
    ("金桂园小区的树枝都长到我家窗户上了", "环境卫生", "transfer", "longxi-3", "yuanlin"),
    ("平东小区5号楼旁边堆了好多垃圾", "环境卫生", "self", "pingdong-1", None),
    ("翠湖小区4栋楼上天天半夜很吵，噪音扰民", "矛盾纠纷", "self", "furong-2", None),
    ("东风路上有人占道经营摆摊", "市容秩序", "transfer", "pingdong-3", "chengguan"),
    ("书香苑有位独居老人好几天没出门了", "居家养老", "self", "xianyuan-3", None),
    ("森工大厦小区2栋电梯坏了", "物业服务", "self", "furong-1", None),
]


@pytest.mark.parametrize("utterance, category, handling, grid, department", TRIAGE)
def test_triage(base_services, utterance, category, handling, grid, department):
    record = triage_record(base_services, utterance)
    assert (record["intent"], record["category"], record["handling"]) == ("report", category, handling)
    assert (record["grid_id"], record["department_id"]) == (grid, department)
    assert not record["needs_review"], record["reason"]


@pytest.mark.parametrize("utterance", ["楼道里有人给电动车充电", "防火通道被占"])
def test_a_hazard_without_a_place_is_still_a_safety_report(engine, utterance):
    parse = engine.parse(utterance)
    assert (parse.intent, parse.category) == ("report", "安全隐患")


@pytest.mark.parametrize("utterance", ["小区有人放煤气罐闻到燃气味", "龙西小区3栋有人被困在电梯里", "仙源小区楼道电线裸露",
                                       "芙蓉苑小区1栋水管爆了，水淹到楼道了", "龙西小区5栋爆管了"])
def test_urgent_words_make_it_urgent(engine, utterance):
    assert engine.parse(utterance).urgency == "紧急"


EMERGENCIES = [
    # (utterance, emergency kind in data/deployment.yaml): urgent, and the reply says whom to call
    ("龙西小区5栋有人要跳楼", "轻生"),
    ("楼上邻居说他想不开要轻生", "轻生"),
    ("书香苑2栋着火了", "火情"),
    ("平东小区3栋楼道起火了", "火情"),
    ("配电箱冒烟了", "火情"),
    ("平东小区3栋厨房漏气了", "燃气泄漏"),
    ("楼道里有很大的煤气味", "燃气泄漏"),
    ("翠湖小区2栋电梯困人了", "被困"),
    ("电梯困了个人", "被困"),
    ("有人困在电梯里出不来", "被困"),
    ("阳光家园3栋有老人摔倒了起不来", "受伤"),
    ("奶奶在楼梯上跌倒了", "受伤"),
    ("仙源小区4栋有人晕倒了", "受伤"),
    ("龙西小区有人触电了", "触电"),
    ("东湖小区5栋的墙塌了", "倒塌"),
    ("着火了怎么办", "火情"),                 # asks for help with a fire
    ("楼下烧烤店着火了", "火情"),             # a grill on fire is a fire; only its smoke is a nuisance
    ("有人晕倒了，叫不醒了", "受伤"),
]


@pytest.mark.parametrize("utterance, kind", EMERGENCIES)
def test_emergencies_are_urgent_reports(engine, utterance, kind):
    parse = engine.parse(utterance)
    assert (parse.intent, parse.emergency, parse.urgency) == ("report", kind, "紧急")


@pytest.mark.parametrize("utterance", [
    "防火通道被占",                        # a hazard report, not a fire
    "火车站门口好多垃圾",
    "楼道堆放杂物有火灾隐患",
    "电动车在楼道充电容易起火",
    "路面结冰容易摔倒",
    "昨天差点摔倒",
    "建议装扶手，防止老人摔倒",
    "电动车轮胎漏气了",
    "被楼上的噪音困扰好久了",
    "家里生活困难想申请低保",
    "如果着火了怎么办",
    "消防演练什么时候搞",
    "龙西小区去年着火过",                  # in the past
    "龙西小区5栋楼下烧烤店冒烟很呛",        # a nuisance (环境卫生), not a fire
    "广场花苑小区3栋老人摔倒了，已经没事了",  # over
    "有人被困在电梯里，已经救出来了",
])
def test_no_false_alarm(engine, utterance):
    assert engine.parse(utterance).emergency is None


def test_a_jumping_threat_goes_to_the_grid_not_to_chengguan(base_services):
    record = triage_record(base_services, "龙西小区5栋有人要跳楼")
    assert (record["category"], record["handling"], record["grid_id"], record["department_id"]) == (
        "安全隐患", "self", "longxi-2", None)
    assert (record["urgency"], record["emergency"], record["needs_review"]) == ("紧急", "轻生", False)


def test_a_staff_command_is_never_an_emergency(engine):
    parse = engine.parse("办结 3 火已扑灭，没有人受伤")
    assert (parse.intent, parse.emergency) == ("resolve", None)


def test_vague_message_goes_to_review(base_services):
    record = triage_record(base_services, "龙西小区那个事情你们看一下怎么弄吧")
    assert record["needs_review"]


def test_confidence_is_a_probability(engine):
    sure = engine.parse("广场花苑小区3栋的垃圾桶坏了").confidence
    unsure = engine.parse("龙西小区那个事情你们看一下怎么弄吧").confidence
    assert 0 <= unsure < sure <= 1


@pytest.mark.parametrize("utterance, intent", [
    ("我想问一下居住证", "question"), ("问一下，暂住证怎么弄", "question"), ("查进度", "my_tickets"),
])
def test_everyday_wordings_of_a_question_and_of_my_tickets(engine, utterance, intent):
    assert engine.parse(utterance).intent == intent


@pytest.mark.parametrize("utterance, intent, args", [
    ("办结1号 已修好", "resolve", {"ticket": 1, "note": "已修好"}),
    ("接单1号", "claim", {"verb": "接单", "ticket": 1}),
    ("合并 3号到2号", "merge", {"ticket": 3, "into": 2}),
])
def test_a_ticket_number_written_with_hao_is_the_number(engine, utterance, intent, args):
    parse = engine.parse(utterance)
    assert (parse.intent, parse.args) == (intent, args)
