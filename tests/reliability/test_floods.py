"""Floods from one sender: reports per minute and hour, points per day (config ``limits``)."""

from __future__ import annotations

import re

import pytest

import wording
from bot.services import Services

PLACES = ["广场花苑小区3栋", "龙西小区5栋", "平东小区8栋", "芙蓉苑小区2栋", "书香苑2栋", "龙西小区12栋", "平东小区3栋"]


def limited(services: Services, **limits) -> Services:
    s = services.config.settings
    settings = s.model_copy(update={"limits": s.limits.model_copy(update=limits)})
    return Services(services.config.model_copy(update={"settings": settings}), services.engine, services.knowledge)


@pytest.fixture
def services(services: Services) -> Services:
    return limited(services, points_per_day=25)


def test_points_per_day_are_capped_and_the_ledger_says_why(chat):
    for place in PLACES[:3]:
        assert "工单号" in chat.say("rider-cap", f"{place}的垃圾桶坏了")
    reply = chat.say("rider-cap", "积分")
    assert "志愿服务积分：25 分" in reply
    assert wording.points_daily_cap(25) in reply
