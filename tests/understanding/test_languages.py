"""Traditional characters are read as simplified; English reports and emergencies are understood, not greeted."""

from __future__ import annotations

import pytest

from bot.cli import triage_record


@pytest.mark.parametrize("text, simplified", [
    ("廣場花苑小區3棟的垃圾桶壞了", "广场花苑小区3栋的垃圾桶坏了"),
    ("樓道裡著火了", "楼道里着火了"),              # 著火 is 着火: OpenCC's tw2s table, not plain t2s
])
def test_traditional_characters_are_read_as_simplified(engine, text, simplified):
    parse = engine.parse(text)
    assert (parse.text, parse.reading) == (text, simplified)     # stored as written, read as simplified


def test_a_traditional_question_is_answered(base_services):
    from bot.cli import triage_record

    assert triage_record(base_services, "新生兒醫保在哪裡辦理？")["answer"] == "新生儿医保参保"


@pytest.mark.parametrize("text, kind", [
    ("廚房煤氣洩漏了", "燃气泄漏"),
    ("樓道裡著火了，快來人", "火情"),
    ("There is a gas leak in building 3 of 广场花苑小区", "燃气泄漏"),
    ("Help! My kitchen is on fire", "火情"),
    ("The lift in 森工大厦 stopped and an old man is trapped inside", "被困"),
])
def test_an_emergency_in_traditional_characters_or_english_raises_the_alarm(engine, text, kind):
    parse = engine.parse(text)
    assert (parse.intent, parse.emergency, parse.urgency) == ("report", kind, "紧急")


def test_an_english_report_routes_like_a_chinese_one(base_services):
    record = triage_record(base_services, "The street light on 龙西路 is broken")
    assert (record["intent"], record["category"], record["handling"], record["place"], record["department"]) == (
        "report", "基础设施维护", "transfer", "龙西路", "区城管局路灯维护所")


def test_an_english_report_names_its_building(engine):
    parse = engine.parse("The bin at 平东小区 building 5 is overflowing")
    assert (parse.intent, parse.language, parse.entities.place, parse.entities.building) == (
        "report", "en", "平东小区", "5栋")


@pytest.mark.parametrize("text, intent", [
    ("There was a fire in this building last year", "report"),     # no alarm, but still a matter to look at
    ("How do I apply for a residence permit?", "human"),            # nothing the glossary knows: a person answers
    ("Thanks a lot!", "chitchat"),
    ("hello", "greeting"),
])
def test_english_that_is_no_emergency(engine, text, intent):
    parse = engine.parse(text)
    assert (parse.intent, parse.emergency) == (intent, None)
