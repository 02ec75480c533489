"""Floods from one sender: reports per minute and hour, points per day (config ``limits``)."""

from __future__ import annotations

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


def test_a_flood_of_reports_from_one_sender_is_refused_kindly(chat, db, services):
    """98 tickets in 1.3 s from one openid: now reports_per_minute are filed, the rest told to wait."""
    limit = services.config.settings.limits.reports_per_minute
    replies = [chat.say("flooder", f"{place}的垃圾桶坏了") for place in PLACES]
    assert all("工单号" in r for r in replies[:limit])
    assert replies[limit:] == [wording.too_many_reports("分钟", limit)] * (len(PLACES) - limit)
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] == limit
    assert "工单号" in chat.say("neighbour", "平东小区3栋的垃圾桶坏了")        # others are not limited
    assert "已接单" in chat.say("sec-longxi-1", "接单 1")                       # nor is the staff's work


def test_in_a_group_the_refusal_goes_to_the_sender_alone(client, services):
    limit = services.config.settings.limits.reports_per_minute
    answers = [client.post("/api/groups/messages", json={"group": "fengchao", "sender": "wxid_flood",
                                                         "text": f"{place}楼道灯不亮了"},
                           headers={"X-Api-Key": "test-api-key"}).get_json() for place in PLACES]
    assert all(a["reply"] == "" for a in answers[limit:])
    r = client.get("/api/inbox?user=group:wxid_flood", headers={"X-Api-Key": "test-api-key"}).get_json()
    assert any(m["body"] == wording.too_many_reports("分钟", limit) for m in r["messages"])
