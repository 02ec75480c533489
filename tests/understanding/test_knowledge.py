"""The knowledge base answers paraphrases and synonyms in one go, and passes unknown questions to a person."""

from __future__ import annotations

import pytest

ANSWERABLE = [
    ("老年出行卡怎么办？", "老年人出行卡（敬老卡）办理"),
    ("敬老卡要带什么材料", "老年人出行卡（敬老卡）办理"),
    ("我爸70岁了，坐公交的老年卡去哪办", "老年人出行卡（敬老卡）办理"),
    ("八十多岁的老人有补贴吗", "高龄津贴申领"),
    ("外地来的怎么办居住证", "居住证办理"),
    ("暂住证在哪里办理", "居住证办理"),
    ("家里困难能申请低保吗", "低保申请"),
    ("电瓶车充电桩在哪", "电动自行车充电与停放"),
    ("旧沙发怎么扔", "大件垃圾和装修垃圾清运"),
    ("和楼上邻居有矛盾找谁调解", "人民调解（邻里纠纷）"),
    ("刚出生的宝宝怎么上医保", "新生儿医保参保"),
    ("自由职业者社保怎么交", "灵活就业人员社保缴费"),
    ("残疾证怎么申请", "残疾人证办理"),
    ("门口有人摆摊归谁管", "门前停车与占道问题反映"),
]


@pytest.mark.parametrize("question, title", ANSWERABLE)
def test_answers(base_services, question, title):
    item = base_services.knowledge.search(question)
    assert item is not None and item.title == title


@pytest.mark.parametrize("question", [
    "请问社区今年的龙舟赛什么时候报名？", "公积金怎么提取", "结婚证怎么办", "宝宝满月酒在哪办", "电动车被偷了找谁",
])
def test_unanswerable_goes_to_a_person(base_services, question):
    assert base_services.knowledge.search(question) is None


def test_answer_names_everything_in_one_reply(chat):
    reply = chat.say("grandpa", "敬老卡要带什么材料？")
    for needed in ("身份证原件", "便民服务中心一楼3号窗口", "街道民政办", "0792-8123401", "工作日", "5个工作日", "65周岁"):
        assert needed in reply


def test_unanswerable_question_is_told_it_goes_to_a_person(chat):
    assert "工作人员" in chat.say("grandpa", "公积金怎么提取？")
