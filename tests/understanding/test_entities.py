"""Entities: 小区 (aliases and typos), building/unit/room, road and landmark, facility, phone."""

from __future__ import annotations

import pytest

from nlu.entities import edit_distance, mask_phone

ENTITIES = [
    # (text, field, value)
    ("广场花苑小区3栋的垃圾桶坏了", "place", "广场花苑小区"),
    ("广场花苑门口积水", "place", "广场花苑小区"),                 # alias
    ("广场花园小区3栋的垃圾桶坏了", "place_suggestion", "广场花苑小区"),   # typo, one character: asked, not routed
    ("金贵园小区5号楼漏水", "place_suggestion", "金桂园小区"),             # typo
    ("森工大厦的电梯坏了", "community", "furong"),
    ("龙西小区12号楼的井盖", "building", "12栋"),
    ("龙西小区十二栋的井盖", "building", "12栋"),
    ("东湖小区3幢2单元301室漏水", "unit", "2单元"),
    ("东湖小区3幢2单元301室漏水", "room", "301室"),
    ("濂溪路实验小学对面的路灯不亮了", "landmark", "濂溪路实验小学"),
    ("濂溪路实验小学对面的路灯不亮了", "road", "濂溪路"),
    ("濂溪路实验小学对面的路灯不亮了", "facility", "路灯"),
    ("幸福路菜市场门口的井盖没了", "road", "幸福路"),               # a road the deployment does not list
    ("龙西幼儿园后面的下水道堵塞了", "place_kind", "landmark"),
    ("翠湖小区停水了，电话13812345678", "phone", "13812345678"),
    ("在幸福路摆摊的太多了", "road", "幸福路"),                     # the name starts after 在
    ("解放西路口的井盖没了", "road", "解放西路"),                    # 路口 of a named road
    ("和平路路灯不亮", "road", "和平路"),
]


@pytest.mark.parametrize("text, field, value", ENTITIES)
def test_entity(engine, text, field, value):
    assert getattr(engine.parse(text).entities, field) == value


@pytest.mark.parametrize("text", [
    "平西小区垃圾没人收",     # one off from both 平东小区 and 龙西小区: no guess
    "我们小区楼道灯坏了",     # no name at all
    "龙西小曲12栋",           # not an estate-like ending
])
def test_no_place_is_guessed_when_unsure(engine, text):
    entities = engine.parse(text).entities
    assert (entities.place, entities.place_suggestion) == (None, None)


@pytest.mark.parametrize("text", [
    "我家小区门口的路灯坏了",      # not the road 「小区门口的路」
    "3栋门口的路灯坏了",
    "森工大厦门口的路灯坏了",
    "小区路灯坏了",
    "楼下的路面坏了",
    "这条路上的井盖没了",
    "送外卖路上看到井盖没了",
    "十里街道的办事大厅",          # 街道 is no 街
    "骑车路过看到护栏倒了",
])
def test_words_ending_in_a_road_ending_are_no_road(engine, text):
    assert engine.parse(text).entities.road is None


def test_edit_distance():
    assert edit_distance("广场花园小区", "广场花苑小区") == 1
    assert edit_distance("金桂园", "金桂园小区") == 2
    assert edit_distance("", "abc") == 3


def test_phone_is_masked_when_shown():
    assert mask_phone("13812345678") == "138****5678"
