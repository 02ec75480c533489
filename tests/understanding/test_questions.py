"""Questions vs reports: a complaint that asks something is still a report; a question about a service is answered
from the knowledge base, by `sandan triage` and by the live bot alike."""

from __future__ import annotations

import pytest

import wording
from bot.cli import triage_record


@pytest.mark.parametrize("text", [
    "小区物业乱收费，每个月多收50元停车费，业主多次反映都没有结果，请问这合理吗？",
    "楼上天天半夜装修，投诉了好几次都没人管，到底有没有人管？",
    "我们小区的路灯坏了一个多月，反映了三次都没有人来修，这正常吗？",
])
def test_a_complaint_that_asks_is_still_a_report(base_services, text):
    record = triage_record(base_services, text)
    assert (record["intent"], record["answer"]) == ("report", None)


@pytest.mark.parametrize("text, title", [
    ("社区有没有老年食堂？", "社区养老服务（助餐、上门看护）"),
    ("家里装修的垃圾放哪里", "大件垃圾和装修垃圾清运"),
    ("我想问下孩子刚出生医保要办吗", "新生儿医保参保"),
    ("新生儿医保在哪里办理？", "新生儿医保参保"),
])
def test_a_question_about_a_service_is_answered(base_services, text, title):
    record = triage_record(base_services, text)
    assert (record["intent"], record["handling"], record["answer"]) == ("question", "reply", title)


@pytest.mark.parametrize("text", ["家里装修的垃圾放哪里", "新生儿医保在哪里办理？"])
def test_the_live_bot_answers_what_triage_answers(base_services, chat, text):
    item = base_services.knowledge.search(text)
    assert chat.say("resident-41", text) == wording.answer(item.title, list(item.fields))
